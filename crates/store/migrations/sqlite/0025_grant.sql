-- VVSG's action plan (issue 13, part 1): the grant's deliverables per work package, the items of
-- the action plan, cost claims paid from the grant on its own ledger, and progress reports per
-- half-year.

CREATE TABLE grant_deliverables (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    grant_id     INTEGER NOT NULL REFERENCES project_grants (id),
    work_package INTEGER NOT NULL,
    title        TEXT NOT NULL,
    planned_on   TEXT NOT NULL,
    -- NULL until delivered.
    done_on      TEXT,
    -- The awareness event that delivers it, if one does.
    event_id     INTEGER REFERENCES awareness_events (id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX grant_deliverables_by_package ON grant_deliverables (grant_id, work_package, planned_on, id);

CREATE TABLE grant_plan_items (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    grant_id     INTEGER NOT NULL REFERENCES project_grants (id),
    -- NULL for an item of the plan as a whole.
    work_package INTEGER,
    title        TEXT NOT NULL,
    owner_id     INTEGER NOT NULL REFERENCES people (id),
    -- planned, in_progress, done, dropped
    status       TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX grant_plan_items_by_due ON grant_plan_items (grant_id, due_on, id);

-- A steering group's action item may follow up an item of the action plan.
ALTER TABLE steering_action_items ADD COLUMN plan_item_id INTEGER REFERENCES grant_plan_items (id);

CREATE TABLE grant_claims (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    grant_id        INTEGER NOT NULL REFERENCES project_grants (id),
    work_package    INTEGER NOT NULL,
    costs_from      TEXT NOT NULL,
    costs_until     TEXT NOT NULL,
    amount_cents    INTEGER NOT NULL,
    description     TEXT NOT NULL,
    -- submitted, approved, rejected, paid
    state           TEXT NOT NULL,
    document_name   TEXT NOT NULL,
    document_sha256 TEXT NOT NULL,
    document_size   INTEGER NOT NULL,
    document        BLOB NOT NULL,
    submitted_by    INTEGER NOT NULL REFERENCES people (id),
    submitted_at    TEXT NOT NULL,
    decided_by      INTEGER REFERENCES people (id),
    decided_at      TEXT,
    -- Why a claim was rejected.
    reason          TEXT,
    paid_on         TEXT,
    payment_reference TEXT
);
CREATE INDEX grant_claims_by_grant ON grant_claims (grant_id, id);

-- The grant's ledger, like the programme's: each posting keeps the balances after it.
CREATE TABLE grant_postings (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    grant_id       INTEGER NOT NULL REFERENCES project_grants (id),
    claim_id       INTEGER REFERENCES grant_claims (id),
    from_account   TEXT NOT NULL,
    to_account     TEXT NOT NULL,
    amount_cents   INTEGER NOT NULL,
    budget_after   INTEGER NOT NULL,
    reserved_after INTEGER NOT NULL,
    paid_after     INTEGER NOT NULL,
    at             TEXT NOT NULL
);
CREATE INDEX grant_postings_by_grant ON grant_postings (grant_id, id);

CREATE TABLE grant_progress_reports (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    grant_id     INTEGER NOT NULL REFERENCES project_grants (id),
    period_from  TEXT NOT NULL,
    period_until TEXT NOT NULL,
    -- Markdown.
    text         TEXT NOT NULL,
    -- The platform's figures at submission, as JSON.
    figures      TEXT NOT NULL,
    submitted_by INTEGER NOT NULL REFERENCES people (id),
    submitted_at TEXT NOT NULL,
    reviewed_by  INTEGER REFERENCES people (id),
    reviewed_at  TEXT,
    review_note  TEXT,
    UNIQUE (grant_id, period_from)
);

-- The grants of an installation seeded before: their amount, granted on their ledger.
INSERT INTO grant_postings (grant_id, claim_id, from_account, to_account, amount_cents, budget_after, reserved_after, paid_after, at)
SELECT id, NULL, 'appropriation', 'available', amount_cents, amount_cents, 0, 0, starts_on || 'T00:00:00+00:00' FROM project_grants;
