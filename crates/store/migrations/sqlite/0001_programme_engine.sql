-- The programme engine: registry, programmes, framework agreements, orders, ledger, audit log.
-- Instants are RFC 3339 text in UTC; dates are YYYY-MM-DD text; money is integer cents.

CREATE TABLE organisations (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    nis_code     TEXT UNIQUE,
    kbo_number   TEXT,
    province_nis TEXT
);
CREATE INDEX organisations_kind ON organisations (kind, id);

CREATE TABLE people (
    id              INTEGER PRIMARY KEY,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    language        TEXT NOT NULL DEFAULT 'nl'
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE programmes (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    settings   TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE amendments (
    id           INTEGER PRIMARY KEY,
    programme_id INTEGER NOT NULL REFERENCES programmes (id),
    summary      TEXT NOT NULL,
    reason       TEXT NOT NULL,
    decided_by   INTEGER NOT NULL REFERENCES people (id),
    at           TEXT NOT NULL
);

CREATE TABLE project_grants (
    id             INTEGER PRIMARY KEY,
    beneficiary_id INTEGER NOT NULL REFERENCES organisations (id),
    name           TEXT NOT NULL,
    amount_cents   INTEGER NOT NULL,
    starts_on      TEXT NOT NULL,
    ends_on        TEXT NOT NULL,
    work_packages  TEXT NOT NULL,
    governance     TEXT NOT NULL
);

CREATE TABLE framework_agreements (
    id                         INTEGER PRIMARY KEY,
    reference                  TEXT NOT NULL UNIQUE,
    title                      TEXT NOT NULL,
    window_from                TEXT NOT NULL,
    window_until               TEXT NOT NULL,
    active                     INTEGER NOT NULL,
    response_term_working_days INTEGER NOT NULL
);

CREATE TABLE cascade_firms (
    agreement_id        INTEGER NOT NULL REFERENCES framework_agreements (id),
    rank                INTEGER NOT NULL,
    firm_id             INTEGER NOT NULL REFERENCES organisations (id),
    package_price_cents INTEGER NOT NULL,
    day_rate_cents      INTEGER NOT NULL,
    PRIMARY KEY (agreement_id, rank)
);

CREATE TABLE orders (
    id                   INTEGER PRIMARY KEY,
    programme_id         INTEGER NOT NULL REFERENCES programmes (id),
    government_id        INTEGER NOT NULL REFERENCES organisations (id),
    kind                 TEXT NOT NULL,
    scope                TEXT NOT NULL,
    estimated_cost_cents INTEGER,
    rate                 TEXT NOT NULL,
    state                TEXT NOT NULL,
    agreement_id         INTEGER REFERENCES framework_agreements (id),
    cascade_rank         INTEGER,
    firm_id              INTEGER REFERENCES organisations (id),
    offered_on           TEXT,
    response_due_on      TEXT,
    price_cents          INTEGER,
    planned_start_on     TEXT,
    accepted_on          TEXT,
    delivered_on         TEXT,
    remediation_day_on   TEXT,
    invoice_number       TEXT,
    invoiced_cents       INTEGER,
    reserved_cents       INTEGER NOT NULL,
    paid_cents           INTEGER NOT NULL,
    submitted_on         TEXT NOT NULL,
    submitted_at         TEXT NOT NULL,
    submitted_by         INTEGER NOT NULL REFERENCES people (id),
    updated_at           TEXT NOT NULL
);
CREATE INDEX orders_programme_state ON orders (programme_id, state, id);
CREATE INDEX orders_government ON orders (government_id, programme_id);
CREATE INDEX orders_firm ON orders (firm_id, id);
CREATE INDEX orders_state_due ON orders (state, response_due_on);

CREATE TABLE postings (
    id             INTEGER PRIMARY KEY,
    programme_id   INTEGER NOT NULL REFERENCES programmes (id),
    order_id       INTEGER REFERENCES orders (id),
    from_account   TEXT NOT NULL,
    to_account     TEXT NOT NULL,
    amount_cents   INTEGER NOT NULL CHECK (amount_cents > 0),
    budget_after   INTEGER NOT NULL,
    reserved_after INTEGER NOT NULL CHECK (reserved_after >= 0),
    paid_after     INTEGER NOT NULL CHECK (paid_after >= 0),
    at             TEXT NOT NULL,
    CHECK (reserved_after + paid_after <= budget_after)
);
CREATE INDEX postings_programme ON postings (programme_id, id);
CREATE INDEX postings_order ON postings (order_id);

CREATE TABLE events (
    seq          INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor_id     INTEGER,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id   INTEGER NOT NULL,
    details      TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX events_subject ON events (subject_type, subject_id, seq);

-- The head of the hash chain, one row, locked by every writer that appends.
CREATE TABLE audit_chain_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_chain_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE idempotency_keys (
    person_id    INTEGER NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER,
    body         TEXT,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (person_id, key)
);
