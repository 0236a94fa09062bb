-- Engagements (issue 5, item 7: the Howest track): a government and an education partner agree
-- a team, a scope, a window and the techniques allowed; the government's authorised signatory
-- accepts the authorisation letter (bound to its SHA-256); the team's findings go into the
-- government's register.

-- An engagement's findings have no audit order and no scanner import: those columns of findings
-- become optional. SQLite cannot drop a NOT NULL with ALTER TABLE; its documentation allows
-- removing a NOT NULL constraint by editing the stored schema, which changes nothing on disk
-- (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes").
PRAGMA writable_schema = ON;
UPDATE sqlite_master
SET sql = replace(replace(replace(sql,
    'order_id        INTEGER NOT NULL REFERENCES orders (id)', 'order_id        INTEGER REFERENCES orders (id)'),
    'first_import_id INTEGER NOT NULL REFERENCES imports (id)', 'first_import_id INTEGER REFERENCES imports (id)'),
    'last_import_id  INTEGER NOT NULL REFERENCES imports (id)', 'last_import_id  INTEGER REFERENCES imports (id)')
WHERE type = 'table' AND name = 'findings';
PRAGMA writable_schema = RESET;

-- A government's people who may sign for it (the general director, a mandated alderman).
CREATE TABLE signatories (
    person_id     INTEGER PRIMARY KEY REFERENCES people (id),
    designated_by INTEGER REFERENCES people (id),
    designated_at TEXT NOT NULL
);

CREATE TABLE engagements (
    id                            INTEGER PRIMARY KEY AUTOINCREMENT,
    government_id                 INTEGER NOT NULL REFERENCES organisations (id),
    partner_id                    INTEGER NOT NULL REFERENCES organisations (id),
    coordinator_id                INTEGER NOT NULL REFERENCES organisations (id),
    title                         TEXT NOT NULL,
    -- proposed, authorised, withdrawn, closed ("active" is authorised within the window).
    state                         TEXT NOT NULL,
    starts_on                     TEXT NOT NULL,
    ends_on                       TEXT NOT NULL,
    -- Comma-separated technique codes.
    techniques                    TEXT NOT NULL,
    government_contact            TEXT NOT NULL,
    team_contact                  TEXT NOT NULL,
    emergency_contact             TEXT NOT NULL,
    -- Goes up with every change of the terms; the letter's hash is of the current version.
    version                       INTEGER NOT NULL,
    letter_hash                   TEXT NOT NULL,
    accepted_hash                 TEXT,
    accepted_by                   INTEGER REFERENCES people (id),
    accepted_at                   TEXT,
    social_engineering_authorised INTEGER NOT NULL DEFAULT 0,
    ended_reason                  TEXT,
    proposed_by                   INTEGER NOT NULL REFERENCES people (id),
    created_at                    TEXT NOT NULL,
    updated_at                    TEXT NOT NULL
);
CREATE INDEX engagements_government ON engagements (government_id);
CREATE INDEX engagements_partner ON engagements (partner_id);

CREATE TABLE engagement_scope (
    engagement_id INTEGER NOT NULL REFERENCES engagements (id),
    asset_id      INTEGER NOT NULL REFERENCES assets (id),
    position      INTEGER NOT NULL,
    PRIMARY KEY (engagement_id, asset_id)
);

CREATE TABLE engagement_team (
    engagement_id INTEGER NOT NULL REFERENCES engagements (id),
    person_id     INTEGER NOT NULL REFERENCES people (id),
    -- student or supervisor.
    role          TEXT NOT NULL,
    PRIMARY KEY (engagement_id, person_id)
);
CREATE INDEX engagement_team_person ON engagement_team (person_id);

-- Every acceptance, kept: who accepted which version of the letter (its hash), and when.
CREATE TABLE engagement_acceptances (
    id                            INTEGER PRIMARY KEY AUTOINCREMENT,
    engagement_id                 INTEGER NOT NULL REFERENCES engagements (id),
    version                       INTEGER NOT NULL,
    letter_hash                   TEXT NOT NULL,
    accepted_by                   INTEGER NOT NULL REFERENCES people (id),
    accepted_at                   TEXT NOT NULL,
    social_engineering_authorised INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX engagement_acceptances_engagement ON engagement_acceptances (engagement_id);

CREATE TABLE engagement_findings (
    finding_id    INTEGER PRIMARY KEY REFERENCES findings (id),
    engagement_id INTEGER NOT NULL REFERENCES engagements (id),
    submitted_by  INTEGER NOT NULL REFERENCES people (id),
    submitted_at  TEXT NOT NULL
);
CREATE INDEX engagement_findings_engagement ON engagement_findings (engagement_id);
