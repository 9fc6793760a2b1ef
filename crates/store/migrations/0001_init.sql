-- Every row carries its tenant, so an organisation's data can be found, exported and
-- kept in its region as a whole. Ids are UUIDv7 (BLOB); times are RFC 3339 text (UTC).

CREATE TABLE tenants (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL,
    region      TEXT NOT NULL,
    policy      TEXT NOT NULL,          -- JSON of confab_proto::Policy
    created_at  TEXT NOT NULL
);

CREATE TABLE users (
    id            BLOB PRIMARY KEY,
    tenant_id     BLOB NOT NULL REFERENCES tenants(id),
    email         TEXT NOT NULL UNIQUE, -- lower-cased
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,        -- argon2id PHC string
    created_at    TEXT NOT NULL
);
CREATE INDEX users_tenant ON users(tenant_id);

CREATE TABLE sessions (
    token_hash  BLOB PRIMARY KEY,       -- SHA-256 of the cookie value; the value is never stored
    tenant_id   BLOB NOT NULL REFERENCES tenants(id),
    user_id     BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at  TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id           BLOB PRIMARY KEY,
    tenant_id    BLOB NOT NULL REFERENCES tenants(id),
    user_id      BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   BLOB NOT NULL UNIQUE,  -- SHA-256 of the secret
    created_at   TEXT NOT NULL,
    last_used_at TEXT
);

CREATE TABLE meetings (
    id                 BLOB PRIMARY KEY,
    tenant_id          BLOB NOT NULL REFERENCES tenants(id),
    organizer_id       BLOB NOT NULL REFERENCES users(id),
    title              TEXT NOT NULL,
    description        TEXT NOT NULL,
    start_local        TEXT NOT NULL,
    end_local          TEXT NOT NULL,
    time_zone          TEXT NOT NULL,
    starts_at          TEXT NOT NULL,
    ends_at            TEXT NOT NULL,
    passcode           TEXT,
    lobby              INTEGER NOT NULL,
    allow_guests       INTEGER NOT NULL,
    wait_for_presenter INTEGER NOT NULL,
    presenters         TEXT NOT NULL,    -- JSON array of lower-cased e-mails
    instant            INTEGER NOT NULL,
    status             TEXT NOT NULL,    -- scheduled | ended | cancelled
    presenter_key      TEXT NOT NULL UNIQUE,
    attendee_key       TEXT NOT NULL UNIQUE,
    sequence           INTEGER NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX meetings_tenant_start ON meetings(tenant_id, starts_at);
CREATE INDEX meetings_organizer ON meetings(organizer_id);

-- A seat: what a join token grants. The token itself is never stored.
CREATE TABLE seats (
    token_hash     BLOB PRIMARY KEY,
    tenant_id      BLOB NOT NULL REFERENCES tenants(id),
    meeting_id     BLOB NOT NULL REFERENCES meetings(id),
    participant_id BLOB NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL,
    user_id        BLOB REFERENCES users(id),
    expires_at     TEXT NOT NULL
);
CREATE INDEX seats_meeting ON seats(meeting_id);

CREATE TABLE chat_messages (
    tenant_id   BLOB NOT NULL REFERENCES tenants(id),
    meeting_id  BLOB NOT NULL REFERENCES meetings(id),
    id          INTEGER NOT NULL,
    message     TEXT NOT NULL,           -- JSON of confab_proto::room::ChatMessage
    sent_at     TEXT NOT NULL,
    PRIMARY KEY (meeting_id, id)
);

-- What a live meeting keeps across restarts.
CREATE TABLE room_state (
    meeting_id  BLOB PRIMARY KEY REFERENCES meetings(id),
    tenant_id   BLOB NOT NULL REFERENCES tenants(id),
    permissions TEXT,                    -- JSON of AttendeePermissions
    locked      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE bans (
    meeting_id     BLOB NOT NULL REFERENCES meetings(id),
    tenant_id      BLOB NOT NULL REFERENCES tenants(id),
    participant_id BLOB NOT NULL,
    user_id        BLOB,
    PRIMARY KEY (meeting_id, participant_id)
);
