//! Confab's durable data, over sqlx.
//!
//! One [`Store`] per process; each file here is the repository of one kind of row.
//! The embedded default is a SQLite file in the data directory (WAL mode). Every row
//! carries its tenant. Secrets (session cookies, API tokens, join tokens) are stored
//! only as SHA-256 hashes; passwords only as argon2 hashes made by the caller.

mod accounts;
mod blobs;
mod collab;
mod documents;
mod meeting_state;
mod meetings;
mod seats;
mod tenants;

use std::{path::Path, str::FromStr, time::Duration};

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

pub use accounts::{ApiTokenRow, UserRow};
pub use blobs::{BlobError, BlobKey, Blobs};
pub use meeting_state::MeetingState;
pub use meetings::MeetingRow;
pub use seats::{NewSeat, SeatRow};
pub use tenants::TenantRow;

/// What can go wrong talking to the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed the operation.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// Applying the schema migrations failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A unique value (such as an e-mail address) is taken.
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// A stored value could not be read back (a bug or a hand-edited database).
    #[error("corrupt {0}")]
    Corrupt(&'static str),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Handle to the database; cheap to clone.
///
/// SQLite allows one writer at a time: writes go through a single connection so they
/// queue in the pool instead of spinning in SQLite's busy handler (which made some
/// of 250 simultaneous joins wait a second); reads use a pool of their own (WAL mode
/// lets them run beside the writer).
#[derive(Clone, Debug)]
pub struct Store {
    write: SqlitePool,
    read: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the SQLite database at `path` and migrates it.
    pub async fn open_sqlite(path: &Path) -> Result<Self> {
        let opts = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts.clone())
            .await?;
        sqlx::migrate!("./migrations").run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts.read_only(true))
            .await?;
        Ok(Self { write, read })
    }

    /// Waits for pending writes to be durable and closes the pool.
    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }
}

/// Maps a unique-constraint violation to [`StoreError::Conflict`].
fn conflict(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Db(e),
    }
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("wire types always serialize")
}

fn from_json<T: serde::de::DeserializeOwned>(s: &str, what: &'static str) -> Result<T> {
    serde_json::from_str(s).map_err(|_| StoreError::Corrupt(what))
}

#[cfg(test)]
mod tests;
