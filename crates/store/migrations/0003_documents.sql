-- Documents shared in meetings; their pages are blobs in the tenant's region.
CREATE TABLE documents (
    id          BLOB PRIMARY KEY,
    tenant_id   BLOB NOT NULL REFERENCES tenants(id),
    meeting_id  BLOB NOT NULL REFERENCES meetings(id),
    info        TEXT NOT NULL,           -- JSON of confab_proto::content::DocumentInfo
    bytes       INTEGER NOT NULL,        -- size of the upload, for the per-meeting quota
    created_at  TEXT NOT NULL
);
CREATE INDEX documents_meeting ON documents(meeting_id, created_at);

-- What the stage shows (JSON of confab_proto::content::Stage), restored after a restart.
ALTER TABLE room_state ADD COLUMN stage TEXT;
