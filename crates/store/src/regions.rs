//! Regions: the places a tenant's files may live, each with an object store of its own
//! (a local directory, or a bucket on an S3-compatible service with its own
//! credentials). Built once at start from the configuration; a region that is not
//! declared does not exist, so nothing can be written to a store nobody configured.
//!
//! Failing closed is a property of what is *not* here: there is no fallback store, and
//! the S3 client is tuned (retries, timeouts) so that an unreachable region answers
//! with an error within seconds instead of hanging the request (FACTS.md, S3).
//!
//! Not here: which blobs a tenant has ([`crate::blobs`]) and the residency census
//! ([`crate::residency`]).

use std::{collections::BTreeMap, fmt, path::PathBuf, sync::Arc, time::Duration};

use confab_proto::residency::StoreLocation;
use object_store::{
    aws::AmazonS3Builder, local::LocalFileSystem, prefix::PrefixStore, ClientOptions, ObjectStore,
    RetryConfig,
};
use serde::Deserialize;

use crate::blobs::BlobError;

/// A credential read from the configuration; never shown by `Debug` (so never logged).
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// An S3-compatible bucket (AWS, MinIO, Ceph RGW, moto …).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Spec {
    /// The service's URL, e.g. `https://s3.eu-central-1.amazonaws.com`. Plain `http://`
    /// is allowed only because it is written here (a private endpoint, or a test).
    pub endpoint: String,
    pub bucket: String,
    /// Keys are written under this prefix inside the bucket (a bucket shared with other
    /// data); none: at the bucket's root.
    pub prefix: Option<String>,
    /// The region name requests are signed for (`us-east-1` for most non-AWS services).
    pub signing_region: String,
    pub access_key_id: String,
    pub secret_access_key: Secret,
}

/// Where one region keeps its files.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum RegionSpec {
    /// A directory on this machine; none: `<data>/blobs/<region>`.
    Local {
        directory: Option<PathBuf>,
    },
    S3(S3Spec),
}

/// How long the S3 client waits and how often it retries: bounds on how long a write to
/// an unreachable region takes to fail.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Tuning {
    /// Milliseconds to open a connection.
    pub connect_timeout_ms: u64,
    /// Milliseconds for one whole request (a page image, or a part of a large upload).
    pub request_timeout_ms: u64,
    /// Retries of a failed request, and the time all retries of one request may take.
    pub max_retries: usize,
    pub retry_timeout_ms: u64,
}

/// One declared region, its store opened.
#[derive(Clone, Debug)]
pub struct Region {
    pub name: String,
    /// Where its store is, as reports show it.
    pub location: StoreLocation,
    pub(crate) store: Arc<dyn ObjectStore>,
}

/// Whether `name` may name a region (it becomes a directory name).
pub fn valid_name(name: &str) -> bool {
    confab_proto::rules::REGION.check(name).is_ok()
}

impl Region {
    /// Opens the store of one region. Nothing is contacted yet: a region that is down
    /// at start fails its tenants' writes, not the whole server.
    pub fn open(
        name: &str,
        spec: &RegionSpec,
        blob_root: &std::path::Path,
        tuning: &S3Tuning,
    ) -> Result<Self, BlobError> {
        if !valid_name(name) {
            return Err(BlobError::UnknownRegion(name.to_owned()));
        }
        let (store, location): (Arc<dyn ObjectStore>, _) = match spec {
            RegionSpec::Local { directory } => {
                let dir = directory.clone().unwrap_or_else(|| blob_root.join(name));
                std::fs::create_dir_all(&dir)?;
                let store =
                    LocalFileSystem::new_with_prefix(&dir).map_err(|e| BlobError::Store {
                        region: name.to_owned(),
                        source: e,
                    })?;
                let directory = dir.display().to_string();
                (Arc::new(store), StoreLocation::Local { directory })
            }
            RegionSpec::S3(s3) => (
                s3_store(s3, tuning).map_err(|e| BlobError::Store {
                    region: name.to_owned(),
                    source: e,
                })?,
                StoreLocation::S3 {
                    endpoint: s3.endpoint.clone(),
                    bucket: s3.bucket.clone(),
                    prefix: s3.prefix.clone(),
                },
            ),
        };
        Ok(Self {
            name: name.to_owned(),
            location,
            store,
        })
    }
}

fn s3_store(s3: &S3Spec, t: &S3Tuning) -> Result<Arc<dyn ObjectStore>, object_store::Error> {
    let http = s3.endpoint.starts_with("http://");
    // `with_client_options` replaces every client option, `allow_http` included.
    let client = ClientOptions::new()
        .with_allow_http(http)
        .with_connect_timeout(Duration::from_millis(t.connect_timeout_ms))
        .with_timeout(Duration::from_millis(t.request_timeout_ms));
    let retry = RetryConfig {
        max_retries: t.max_retries,
        retry_timeout: Duration::from_millis(t.retry_timeout_ms),
        ..RetryConfig::default()
    };
    let bucket = AmazonS3Builder::new()
        .with_endpoint(&s3.endpoint)
        .with_allow_http(http)
        .with_region(&s3.signing_region)
        .with_bucket_name(&s3.bucket)
        .with_access_key_id(&s3.access_key_id)
        .with_secret_access_key(s3.secret_access_key.expose())
        .with_virtual_hosted_style_request(false)
        .with_client_options(client)
        .with_retry(retry)
        .build()?;
    Ok(match s3.prefix.as_deref().map(|p| p.trim_matches('/')) {
        Some(p) if !p.is_empty() => Arc::new(PrefixStore::new(bucket, p)),
        _ => Arc::new(bucket),
    })
}

/// Every declared region, by name.
pub fn open_all(
    specs: &BTreeMap<String, RegionSpec>,
    blob_root: &std::path::Path,
    tuning: &S3Tuning,
) -> Result<Vec<Region>, BlobError> {
    specs
        .iter()
        .map(|(name, spec)| Region::open(name, spec, blob_root, tuning))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn tuning() -> S3Tuning {
        S3Tuning {
            connect_timeout_ms: 500,
            request_timeout_ms: 2000,
            max_retries: 2,
            retry_timeout_ms: 2000,
        }
    }

    #[test]
    fn a_region_name_that_could_escape_its_directory_is_refused() {
        let root = std::env::temp_dir();
        let local = RegionSpec::Local { directory: None };
        for bad in ["../etc", "", "a/b", "eu central"] {
            assert!(
                matches!(
                    Region::open(bad, &local, &root, &tuning()),
                    Err(BlobError::UnknownRegion(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let spec: RegionSpec = toml_like(
            r#"{"kind": "s3", "endpoint": "http://127.0.0.1:9", "bucket": "b",
                "signing_region": "us-east-1", "access_key_id": "AKID",
                "secret_access_key": "very-secret-key"}"#,
        );
        let shown = format!("{spec:?}");
        assert!(!shown.contains("very-secret-key"), "{shown}");
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn a_region_spec_with_an_unknown_key_or_kind_is_refused() {
        assert!(serde_json::from_str::<RegionSpec>(r#"{"kind": "local", "dir": "x"}"#).is_err());
        assert!(serde_json::from_str::<RegionSpec>(r#"{"kind": "ftp"}"#).is_err());
    }

    fn toml_like(json: &str) -> RegionSpec {
        serde_json::from_str(json).unwrap()
    }
}
