-- Coordinated vulnerability disclosure (issue 5, items 1 and 2): VVSG's model policy and each
-- government's policy, as a draft it edits and as immutable published versions; the
-- security.txt is generated from the version in force and expires at `expires_at`.

CREATE TABLE disclosure_drafts (
    -- The government; for the model, VVSG (the association).
    organisation_id INTEGER PRIMARY KEY REFERENCES organisations (id),
    -- 'model' or 'government'.
    kind            TEXT NOT NULL,
    -- The policy's content as JSON (domain::disclosure::PolicyContent).
    content         TEXT NOT NULL,
    -- The model version a government's draft was adopted from.
    model_version   INTEGER,
    updated_by      INTEGER NOT NULL REFERENCES people (id),
    updated_at      TEXT NOT NULL
);

CREATE TABLE disclosure_versions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    kind            TEXT NOT NULL,
    version         INTEGER NOT NULL,
    content         TEXT NOT NULL,
    -- The registered assets in scope when it was published, as JSON.
    assets          TEXT NOT NULL DEFAULT '[]',
    model_version   INTEGER,
    published_by    INTEGER NOT NULL REFERENCES people (id),
    published_at    TEXT NOT NULL,
    -- When its security.txt expires (none for the model).
    expires_at      TEXT,
    -- When the government was reminded that it expires (once).
    reminded_at     TEXT,
    UNIQUE (organisation_id, version)
);
CREATE INDEX disclosure_versions_kind ON disclosure_versions (kind, organisation_id, version);
