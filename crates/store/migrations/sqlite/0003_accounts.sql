-- Accounts beyond the password: invitations, password resets, mail (a transactional outbox),
-- the TOTP second factor with recovery codes, named API tokens, sessions waiting for a second
-- factor, and each person's language.

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    to_address  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

CREATE TABLE invitations (
    token_hash      TEXT PRIMARY KEY,
    email           TEXT NOT NULL,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    invited_by      INTEGER REFERENCES people (id),
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    accepted_at     TEXT
);
CREATE INDEX invitations_organisation ON invitations (organisation_id);

CREATE TABLE password_resets (
    token_hash  TEXT PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people (id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);

ALTER TABLE people ADD COLUMN totp_secret TEXT;
ALTER TABLE people ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN totp_last_step INTEGER;

CREATE TABLE recovery_codes (
    person_id   INTEGER NOT NULL REFERENCES people (id),
    code_hash   TEXT NOT NULL,
    used_at     TEXT,
    PRIMARY KEY (person_id, code_hash)
);

ALTER TABLE api_tokens ADD COLUMN name TEXT;
ALTER TABLE sessions ADD COLUMN second_factor_pending INTEGER NOT NULL DEFAULT 0;
CREATE INDEX api_tokens_person ON api_tokens (person_id);
