-- Audit results (issue 4): the governments' assets, the imports of scanner reports, and the
-- findings, deduplicated per government by a stable fingerprint.

CREATE TABLE assets (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    government_id INTEGER NOT NULL REFERENCES organisations (id),
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    hostname      TEXT,
    ip            TEXT,
    os            TEXT,
    criticality   TEXT NOT NULL DEFAULT 'medium',
    created_at    TEXT NOT NULL,
    UNIQUE (government_id, kind, name)
);

CREATE TABLE imports (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id      INTEGER NOT NULL REFERENCES orders (id),
    government_id INTEGER NOT NULL REFERENCES organisations (id),
    format        TEXT NOT NULL,
    tool_version  TEXT,
    findings_read INTEGER NOT NULL,
    new           INTEGER NOT NULL,
    still_open    INTEGER NOT NULL,
    reopened      INTEGER NOT NULL,
    fixed         INTEGER NOT NULL,
    imported_by   INTEGER REFERENCES people (id),
    at            TEXT NOT NULL
);
CREATE INDEX imports_order ON imports (order_id);

CREATE TABLE findings (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    government_id   INTEGER NOT NULL REFERENCES organisations (id),
    order_id        INTEGER NOT NULL REFERENCES orders (id),
    asset_id        INTEGER REFERENCES assets (id),
    fingerprint     TEXT NOT NULL,
    tool            TEXT NOT NULL,
    rule_id         TEXT NOT NULL,
    title           TEXT NOT NULL,
    description     TEXT,
    severity        TEXT NOT NULL,
    severity_rank   INTEGER NOT NULL,
    cvss_version    TEXT,
    cvss_vector     TEXT,
    cvss_score      REAL,
    cvss_computed   INTEGER NOT NULL DEFAULT 0,
    cwe             TEXT NOT NULL DEFAULT '',
    cves            TEXT NOT NULL DEFAULT '',
    port            INTEGER,
    protocol        TEXT,
    url             TEXT,
    evidence        TEXT,
    recommendation  TEXT,
    status          TEXT NOT NULL DEFAULT 'open',
    status_reason   TEXT,
    decision        TEXT,
    due_on          TEXT,
    accepted_until  TEXT,
    first_seen      TEXT NOT NULL,
    last_seen       TEXT NOT NULL,
    first_import_id INTEGER NOT NULL REFERENCES imports (id),
    last_import_id  INTEGER NOT NULL REFERENCES imports (id),
    UNIQUE (government_id, fingerprint)
);
CREATE INDEX findings_priority ON findings (government_id, status, severity_rank DESC, cvss_score DESC);
CREATE INDEX findings_order ON findings (order_id);

-- Threat intelligence the administrator loads from files (no internet at run time): CISA's
-- Known Exploited Vulnerabilities catalogue and FIRST's EPSS scores.
CREATE TABLE kev (
    cve        TEXT PRIMARY KEY,
    added_on   TEXT,
    ransomware TEXT
);

CREATE TABLE epss (
    cve        TEXT PRIMARY KEY,
    score      REAL NOT NULL,
    percentile REAL NOT NULL
);
