-- Portal sessions (server-side, the cookie holds only a random token) and sign-in back-off.

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES people (id),
    csrf_token  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX sessions_person ON sessions (person_id);

ALTER TABLE people ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN locked_until TEXT;
