-- Vulnerability reports (issue 5, items 3 to 6): reports from anyone, with or without an account,
-- about a government's systems; their handling (ISO/IEC 29147 and 30111), the conversation with
-- the reporter, attachments (kept in the database, served only as downloads), and credit.

CREATE TABLE reports (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    government_id       INTEGER NOT NULL REFERENCES organisations (id),
    -- A short code people quote; not a secret.
    tracking_code       TEXT NOT NULL UNIQUE,
    -- SHA-256 of the secret follow link's token; the token itself is never stored.
    follow_hash         TEXT NOT NULL UNIQUE,
    state               TEXT NOT NULL,
    outcome             TEXT,
    duplicate_of        INTEGER REFERENCES reports (id),
    target              TEXT NOT NULL,
    host                TEXT NOT NULL,
    location            TEXT NOT NULL DEFAULT '',
    cwe                 INTEGER NOT NULL,
    duplicate_key       TEXT NOT NULL,
    title               TEXT NOT NULL,
    description         TEXT NOT NULL,
    steps               TEXT NOT NULL,
    impact              TEXT NOT NULL,
    cvss_vector         TEXT,
    cvss_score          REAL,
    reporter_name       TEXT NOT NULL DEFAULT '',
    reporter_email      TEXT,
    reporter_id         INTEGER REFERENCES people (id),
    credit_consent      INTEGER NOT NULL DEFAULT 0,
    disclosure_plans    TEXT NOT NULL DEFAULT '',
    received_at         TEXT NOT NULL,
    received_on         TEXT NOT NULL,
    acknowledge_by      TEXT NOT NULL,
    triage_by           TEXT NOT NULL,
    disclose_on         TEXT NOT NULL,
    disclosure_agreed   INTEGER NOT NULL DEFAULT 0,
    acknowledged_at     TEXT,
    triaged_at          TEXT,
    fixed_at            TEXT,
    closed_at           TEXT,
    finding_id          INTEGER REFERENCES findings (id),
    coordinator_invited INTEGER NOT NULL DEFAULT 0,
    -- Which deadline reminders went to the government already (acknowledge, triage).
    reminded            TEXT NOT NULL DEFAULT '',
    updated_at          TEXT NOT NULL
);
CREATE INDEX reports_government ON reports (government_id, state);
CREATE INDEX reports_reporter ON reports (reporter_id);
CREATE INDEX reports_duplicates ON reports (government_id, duplicate_key);
CREATE INDEX reports_finding ON reports (finding_id);

CREATE TABLE report_messages (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id   INTEGER NOT NULL REFERENCES reports (id),
    -- reporter, government, coordinator, administrator or system.
    author_kind TEXT NOT NULL,
    author_id   INTEGER REFERENCES people (id),
    author_name TEXT NOT NULL,
    body        TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX report_messages_report ON report_messages (report_id, id);

CREATE TABLE report_attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id    INTEGER NOT NULL REFERENCES reports (id),
    filename     TEXT NOT NULL,
    -- The type read from the content (png, jpeg, pdf, text), never the one claimed.
    kind         TEXT NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    content      BLOB NOT NULL,
    uploaded_by  TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX report_attachments_report ON report_attachments (report_id);
