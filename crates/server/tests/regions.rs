//! Regions are real places: two organisations in two regions (a local directory, and a
//! bucket on a real S3 server, moto), each uploading a document. The stores themselves
//! show each one's files landed only in its own region, the residency report says so
//! (and catches a planted stray), and with the S3 server stopped the S3 organisation's
//! upload fails closed while the local one's still works.

mod common;

use std::time::Duration;

use common::*;
use confab_proto::residency::{FileClass, ResidencyReport, StoreLocation};
use confab_store::moto::Moto;
use futures_util::TryStreamExt;
use object_store::{local::LocalFileSystem, ObjectStore, PutPayload};
use serde_json::{json, Value};

const BUCKET: &str = "confab-eu";
const PREFIX: &str = "confab";

/// Every key in `store` (whole store).
async fn keys(store: &dyn ObjectStore) -> Vec<String> {
    let mut keys: Vec<String> = store
        .list(None)
        .map_ok(|m| m.location.to_string())
        .try_collect()
        .await
        .unwrap();
    keys.sort();
    keys
}

/// The moto bucket, read with a client of its own (not the server's).
fn bucket(moto: &Moto) -> impl ObjectStore {
    object_store::aws::AmazonS3Builder::new()
        .with_endpoint(&moto.endpoint)
        .with_allow_http(true)
        .with_region("us-east-1")
        .with_bucket_name(BUCKET)
        .with_access_key_id("k")
        .with_secret_access_key("s")
        .with_virtual_hosted_style_request(false)
        .build()
        .unwrap()
}

struct Org {
    id: String,
    admin: Client,
    meeting: String,
    token: String,
    /// The admin in the meeting (presenters upload while they are in it).
    _room: Room,
}

/// An organisation in `region` with a tenant admin in a meeting of theirs.
async fn org(s: &TestServer, name: &str, region: &str) -> Org {
    let (id, admin) = s
        .tenant_admin_in(name, &format!("admin@{region}.example"), region)
        .await;
    let m = admin.schedule(&meeting(name)).await;
    let token = admin
        .join_ok(&m.attendee_link.clone().unwrap(), None, None)
        .await
        .token;
    let room = Room::enter(s, &token).await;
    Org {
        id,
        admin,
        meeting: m.id.to_string(),
        token,
        _room: room,
    }
}

async fn upload(s: &TestServer, o: &Org) -> reqwest::Response {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
        .post(s.url(&format!(
            "/api/v1/meetings/{}/documents?name=one.pdf",
            o.meeting
        )))
        .bearer_auth(&o.token)
        .body(tiny_pdf(1))
        .send()
        .await
        .unwrap()
}

async fn report(client: &Client, tenant: &str) -> reqwest::Response {
    client
        .get(&format!("/api/v1/tenants/{tenant}/residency"))
        .await
}

/// Polls until `store` holds an upload and its three page images under `tenant`.
async fn until_converted(store: &dyn ObjectStore, tenant: &str) -> Vec<String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        let mine: Vec<String> = keys(store)
            .await
            .into_iter()
            .filter(|k| k.contains(tenant))
            .collect();
        if mine.len() >= 4 {
            return mine;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "conversion did not store the pages: {mine:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn count(r: &ResidencyReport, class: FileClass) -> (u64, u64) {
    let f = r.files.iter().find(|f| f.class == class).unwrap();
    (f.items, f.bytes)
}

#[tokio::test]
async fn each_organisations_files_stay_in_its_region_and_a_dead_region_fails_closed() {
    let mut moto = Moto::start().await.unwrap_or_else(|e| panic!("{e}"));
    moto.create_bucket(BUCKET).await.unwrap();
    let spec = moto.region(BUCKET, Some(PREFIX));
    let s = TestServer::start_with(|c| {
        c.regions.insert("eu-s3".into(), spec);
    })
    .await;
    let provider = s.admin_client().await;

    // A region nobody configured does not exist.
    let r = provider
        .post(
            "/api/v1/tenants",
            json!({"name": "Lost", "region": "atlantis"}),
        )
        .await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["type"], "urn:confab:problem:invalid-input");
    assert!(
        body["detail"].as_str().unwrap().contains("\"atlantis\""),
        "{body}"
    );

    let local = org(&s, "Local Org", "eu-central").await;
    let remote = org(&s, "S3 Org", "eu-s3").await;
    assert_eq!(upload(&s, &local).await.status(), 202);
    assert_eq!(upload(&s, &remote).await.status(), 202);

    // The stores themselves: each organisation's files only in its own region.
    let eu_central = LocalFileSystem::new_with_prefix(s.data.join("blobs/eu-central")).unwrap();
    let default_region = LocalFileSystem::new_with_prefix(s.data.join("blobs/local")).unwrap();
    let s3 = bucket(&moto);
    let local_keys = until_converted(&eu_central, &local.id).await;
    let remote_keys = until_converted(&s3, &remote.id).await;
    assert!(local_keys
        .iter()
        .all(|k| k.starts_with(&format!("tenants/{}/", local.id))));
    assert!(
        remote_keys
            .iter()
            .all(|k| k.starts_with(&format!("{PREFIX}/tenants/{}/", remote.id))),
        "{remote_keys:?}"
    );
    let everywhere_local = [keys(&eu_central).await, keys(&default_region).await].concat();
    assert!(
        everywhere_local.iter().all(|k| !k.contains(&remote.id)),
        "no file of the S3 organisation on local disk: {everywhere_local:?}"
    );
    assert!(
        keys(&s3).await.iter().all(|k| !k.contains(&local.id)),
        "no file of the local organisation in the bucket"
    );

    // The report says the same, to the organisation's own admin.
    let r = report(&remote.admin, &remote.id).await;
    assert_eq!(r.status(), 200);
    let rep: ResidencyReport = r.json().await.unwrap();
    assert_eq!(rep.region, "eu-s3");
    assert_eq!(count(&rep, FileClass::Upload).0, 1);
    assert_eq!(count(&rep, FileClass::PageImage).0, 3);
    assert!(count(&rep, FileClass::Upload).1 > 0);
    assert_eq!(
        rep.files[0].location,
        StoreLocation::S3 {
            endpoint: moto.endpoint.clone(),
            bucket: BUCKET.into(),
            prefix: Some(PREFIX.into())
        }
    );
    let scanned: Vec<&str> = rep
        .other_regions
        .iter()
        .map(|c| c.region.as_str())
        .collect();
    assert_eq!(scanned, ["eu-central", "local"]);
    assert!(rep.resident && rep.other_regions.iter().all(|c| c.strays == 0));
    assert!(!rep.records.per_region, "honest: one database today");
    let body = serde_json::to_string(&rep).unwrap();
    assert!(
        !body.contains("confab-test-secret"),
        "no credential in a report"
    );

    // Another organisation's admin learns nothing, not even that it exists.
    assert_eq!(report(&local.admin, &remote.id).await.status(), 404);
    assert_eq!(
        report(&local.admin, &uuid::Uuid::new_v4().to_string())
            .await
            .status(),
        404
    );
    let rep: ResidencyReport = report(&provider, &local.id).await.json().await.unwrap();
    assert_eq!(
        (rep.region.as_str(), count(&rep, FileClass::PageImage).0),
        ("eu-central", 3)
    );

    // A file planted in the wrong region is found by the scan.
    let stray = object_store::path::Path::from(format!("tenants/{}/planted", remote.id));
    eu_central
        .put(&stray, PutPayload::from_static(b"x"))
        .await
        .unwrap();
    let rep: ResidencyReport = report(&provider, &remote.id).await.json().await.unwrap();
    assert!(!rep.resident);
    let found = rep
        .other_regions
        .iter()
        .find(|c| c.region == "eu-central")
        .unwrap();
    assert_eq!(
        (found.strays, found.examples.clone()),
        (1, vec![stray.to_string()])
    );
    eu_central.delete(&stray).await.unwrap();
    // (the local store leaves the emptied directory behind)
    std::fs::remove_dir(
        s.data
            .join(format!("blobs/eu-central/tenants/{}", remote.id)),
    )
    .unwrap();

    // The S3 region goes away: its organisation's writes fail closed, promptly and
    // clearly; the other region carries on; nothing lands on local disk instead.
    moto.stop();
    let started = std::time::Instant::now();
    let r = upload(&s, &remote).await;
    let (status, kind) = problem_type(r).await;
    assert_eq!((status, kind.as_str()), (503, "region-unavailable"));
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "failing took {:?}",
        started.elapsed()
    );
    assert_eq!(upload(&s, &local).await.status(), 202);
    let everywhere_local = [keys(&eu_central).await, keys(&default_region).await].concat();
    assert!(
        everywhere_local.iter().all(|k| !k.contains(&remote.id)),
        "nothing of the S3 organisation written locally as a fallback: {everywhere_local:?}"
    );
    assert!(
        !walk_contains(&s.data, &remote.id),
        "no file or directory named after the S3 organisation anywhere in the data directory"
    );
    let (status, kind) = problem_type(report(&remote.admin, &remote.id).await).await;
    assert_eq!((status, kind.as_str()), (503, "region-unavailable"));
}

/// Whether any path under `dir` mentions `needle`.
fn walk_contains(dir: &std::path::Path, needle: &str) -> bool {
    std::fs::read_dir(dir).unwrap().flatten().any(|e| {
        let p = e.path();
        let hit = p.to_string_lossy().contains(needle);
        if hit {
            eprintln!("found {}", p.display());
        }
        hit || (p.is_dir() && walk_contains(&p, needle))
    })
}

#[tokio::test]
async fn a_member_may_not_read_their_organisations_report() {
    let s = TestServer::start().await;
    let member = s.user("member@example.org", "organizer").await;
    let me: Value = member.get("/api/v1/me").await.json().await.unwrap();
    let tenant = me["tenant"]["id"].as_str().unwrap();
    let (status, kind) = problem_type(report(&member, tenant).await).await;
    assert_eq!((status, kind.as_str()), (403, "forbidden"));
    let rep: ResidencyReport = report(&s.admin_client().await, tenant)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rep.region, "local");
    assert!(rep.resident);
}
