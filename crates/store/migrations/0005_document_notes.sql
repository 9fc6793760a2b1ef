-- Speaker notes of deck pages: shown to presenters only, so kept apart from the page
-- list everyone receives.
CREATE TABLE document_notes (
    document_id BLOB NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    page        INTEGER NOT NULL,
    tenant_id   BLOB NOT NULL REFERENCES tenants(id),
    notes       TEXT NOT NULL,
    PRIMARY KEY (document_id, page)
);
