-- The continuous baseline scan (issue 16): which of a government's systems are scanned, the queue
-- of scans that several servers share, the latest verdict of every check, the "comply or explain"
-- of each check, and the scores with their history.

ALTER TABLE assets ADD COLUMN baseline INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assets ADD COLUMN baseline_scanned_at TEXT;
ALTER TABLE organisations ADD COLUMN baseline_paused INTEGER NOT NULL DEFAULT 0;
CREATE INDEX assets_baseline ON assets (baseline_scanned_at, id) WHERE baseline;

CREATE TABLE baseline_scans (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    government_id INTEGER NOT NULL REFERENCES organisations (id),
    asset_id      INTEGER NOT NULL REFERENCES assets (id),
    cause         TEXT NOT NULL,
    requested_by  INTEGER REFERENCES people (id),
    queued_at     TEXT NOT NULL,
    state         TEXT NOT NULL,
    claimed_by    TEXT,
    claimed_until TEXT,
    started_at    TEXT,
    finished_at   TEXT,
    judged_at     TEXT,
    passed        INTEGER NOT NULL DEFAULT 0,
    warnings      INTEGER NOT NULL DEFAULT 0,
    failed        INTEGER NOT NULL DEFAULT 0,
    unknown       INTEGER NOT NULL DEFAULT 0
);
-- One scan of a system waits or runs at a time: a second server can never scan it twice.
CREATE UNIQUE INDEX baseline_scans_pending ON baseline_scans (asset_id) WHERE state <> 'done';
CREATE INDEX baseline_scans_queue ON baseline_scans (id) WHERE state <> 'done';
CREATE INDEX baseline_scans_of ON baseline_scans (government_id, id);

CREATE TABLE baseline_results (
    asset_id      INTEGER NOT NULL REFERENCES assets (id),
    check_code    TEXT NOT NULL,
    subject       TEXT NOT NULL,
    government_id INTEGER NOT NULL REFERENCES organisations (id),
    category      TEXT NOT NULL,
    verdict       TEXT NOT NULL,
    reason_code   TEXT NOT NULL,
    message_nl    TEXT NOT NULL,
    message_en    TEXT NOT NULL,
    evidence      TEXT NOT NULL,
    scan_id       INTEGER NOT NULL REFERENCES baseline_scans (id),
    seen_at       TEXT NOT NULL,
    PRIMARY KEY (asset_id, check_code, subject)
);
CREATE INDEX baseline_results_of ON baseline_results (government_id, check_code, subject);

CREATE TABLE baseline_explanations (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    government_id INTEGER NOT NULL REFERENCES organisations (id),
    check_code    TEXT NOT NULL,
    subject       TEXT NOT NULL,
    explanation   TEXT NOT NULL,
    state         TEXT NOT NULL,
    proposed_by   INTEGER NOT NULL REFERENCES people (id),
    proposed_at   TEXT NOT NULL,
    decided_by    INTEGER REFERENCES people (id),
    decided_at    TEXT,
    decision_note TEXT,
    UNIQUE (government_id, check_code, subject)
);
CREATE INDEX baseline_explanations_state ON baseline_explanations (state, id);

-- A government's score per category after each scan; category 'all' is the whole.
CREATE TABLE baseline_scores (
    government_id INTEGER NOT NULL REFERENCES organisations (id),
    at            TEXT NOT NULL,
    category      TEXT NOT NULL,
    half_points   INTEGER NOT NULL,
    counted       INTEGER NOT NULL,
    PRIMARY KEY (government_id, at, category)
);
-- The latest of them, one row per government and category, for the overviews.
CREATE TABLE baseline_current_scores (
    government_id INTEGER NOT NULL REFERENCES organisations (id),
    category      TEXT NOT NULL,
    at            TEXT NOT NULL,
    half_points   INTEGER NOT NULL,
    counted       INTEGER NOT NULL,
    PRIMARY KEY (government_id, category)
);

-- Whether the overview per province is public (the administrator switches it on).
CREATE TABLE baseline_publication (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    public     INTEGER NOT NULL,
    changed_by INTEGER REFERENCES people (id),
    changed_at TEXT
);
INSERT INTO baseline_publication (id, public) VALUES (1, 0);
