-- An e-mail address is unique within its organisation, not across all of them: a tenant
-- admin creating a user must not learn that another organisation has that address.
-- SQLite cannot drop a column's UNIQUE, so `users` is rebuilt. Migrations run in a
-- transaction, where foreign keys cannot be switched off: checks are deferred to the
-- commit instead, and the rows that ON DELETE CASCADE would take with the old table
-- (sessions, API tokens) are kept aside and put back.
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE kept_sessions AS SELECT * FROM sessions;
CREATE TEMP TABLE kept_api_tokens AS SELECT * FROM api_tokens;

CREATE TABLE users_new (
    id            BLOB PRIMARY KEY,
    tenant_id     BLOB NOT NULL REFERENCES tenants(id),
    email         TEXT NOT NULL,        -- lower-cased
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,        -- argon2id PHC string
    created_at    TEXT NOT NULL,
    UNIQUE (tenant_id, email)
);
INSERT INTO users_new (id, tenant_id, email, name, role, password_hash, created_at)
    SELECT id, tenant_id, email, name, role, password_hash, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE INDEX users_tenant ON users(tenant_id);
CREATE INDEX users_email ON users(email);

INSERT INTO sessions SELECT * FROM kept_sessions;
INSERT INTO api_tokens SELECT * FROM kept_api_tokens;
DROP TABLE kept_sessions;
DROP TABLE kept_api_tokens;

-- API tokens may expire.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;

-- The device a guest joined from (SHA-256 of a random cookie), so that a bar holds for
-- that browser and not only for the one seat.
ALTER TABLE seats ADD COLUMN device_hash BLOB;
ALTER TABLE bans ADD COLUMN device_hash BLOB;

CREATE INDEX sessions_user ON sessions(user_id);
