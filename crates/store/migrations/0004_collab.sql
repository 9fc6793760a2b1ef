-- Collaborative documents (crates/collab): an append-only log of Yjs v1 updates per
-- document plus one snapshot that replaces the log before it. `doc_key` is
-- `{meeting}/{name}` (e.g. `…/page:{document}:{page}`); the tenant is beside it.
CREATE TABLE collab_updates (
    tenant_id  BLOB NOT NULL REFERENCES tenants(id),
    doc_key    TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    "update"   BLOB NOT NULL,
    PRIMARY KEY (tenant_id, doc_key, seq)
);

CREATE TABLE collab_snapshots (
    tenant_id  BLOB NOT NULL REFERENCES tenants(id),
    doc_key    TEXT NOT NULL,
    state      BLOB NOT NULL,
    PRIMARY KEY (tenant_id, doc_key)
);
