-- VVSG's work package 1 (issue 13, part 2): the toolkit's items with their versions (draft, in
-- review, published), its search index, what governments did with the items, the playbooks'
-- checklists and tabletop exercises, and the links from deliverables and events to items.

CREATE TABLE toolkit_items (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    slug         TEXT NOT NULL UNIQUE,
    -- guide, playbook, template, information
    kind         TEXT NOT NULL,
    -- preventive, curative
    category     TEXT NOT NULL,
    -- Audience codes between commas: ",ict,all_staff,".
    audience     TEXT NOT NULL,
    -- Tags between commas: ",ransomware,back-up,".
    tags         TEXT NOT NULL,
    -- A person of VVSG.
    owner_id     INTEGER NOT NULL REFERENCES people (id),
    -- The version governments read; NULL until the first is published.
    published_version_id INTEGER,
    published_at TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX toolkit_items_published ON toolkit_items (published_version_id, id);

CREATE TABLE toolkit_versions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id      INTEGER NOT NULL REFERENCES toolkit_items (id),
    -- 1, 2, 3 ... per item.
    number       INTEGER NOT NULL,
    -- draft, in_review, published
    state        TEXT NOT NULL,
    title_nl     TEXT NOT NULL,
    summary_nl   TEXT NOT NULL,
    body_nl      TEXT NOT NULL,
    -- The English version, whole or absent.
    title_en     TEXT,
    summary_en   TEXT,
    body_en      TEXT,
    edited_by    INTEGER NOT NULL REFERENCES people (id),
    edited_at    TEXT NOT NULL,
    submitted_by INTEGER REFERENCES people (id),
    submitted_at TEXT,
    reviewed_by  INTEGER REFERENCES people (id),
    reviewed_at  TEXT,
    review_note  TEXT,
    UNIQUE (item_id, number)
);

-- Files attached to a version (a poster, a slide deck): a new draft takes its version's files.
CREATE TABLE toolkit_files (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    version_id  INTEGER NOT NULL REFERENCES toolkit_versions (id),
    filename    TEXT NOT NULL,
    -- pdf, png, jpeg, text: told by the content
    kind        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    content     BLOB NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES people (id),
    uploaded_at TEXT NOT NULL
);
CREATE INDEX toolkit_files_by_version ON toolkit_files (version_id, id);

-- The published versions' words, stemmed (Dutch and English); the row id is the item's.
CREATE VIRTUAL TABLE toolkit_search USING fts5(terms, tokenize = 'unicode61');

-- How often a government opened, downloaded or completed an item: organisations, never people.
CREATE TABLE toolkit_use (
    item_id         INTEGER NOT NULL REFERENCES toolkit_items (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    -- opened, downloaded, completed
    kind            TEXT NOT NULL,
    count           INTEGER NOT NULL,
    first_at        TEXT NOT NULL,
    last_at         TEXT NOT NULL,
    PRIMARY KEY (item_id, organisation_id, kind)
);

-- A government's ticks on a playbook's steps, for the version they were made on.
CREATE TABLE toolkit_checklist_steps (
    item_id         INTEGER NOT NULL REFERENCES toolkit_items (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    version_id      INTEGER NOT NULL REFERENCES toolkit_versions (id),
    -- 1, 2, 3 ... as the playbook numbers its steps.
    step            INTEGER NOT NULL,
    -- done, not_applicable
    state           TEXT NOT NULL,
    by_person       INTEGER NOT NULL REFERENCES people (id),
    at              TEXT NOT NULL,
    PRIMARY KEY (item_id, organisation_id, version_id, step)
);

CREATE TABLE toolkit_exercises (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    -- The playbook that was the scenario.
    item_id         INTEGER NOT NULL REFERENCES toolkit_items (id),
    held_on         TEXT NOT NULL,
    participants    TEXT NOT NULL,
    lessons         TEXT NOT NULL,
    created_by      INTEGER NOT NULL REFERENCES people (id),
    created_at      TEXT NOT NULL
);
CREATE INDEX toolkit_exercises_by_organisation ON toolkit_exercises (organisation_id, held_on, id);

CREATE TABLE toolkit_exercise_actions (
    exercise_id INTEGER NOT NULL REFERENCES toolkit_exercises (id),
    position    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    -- The finding it became in the government's register.
    finding_id  INTEGER REFERENCES findings (id),
    PRIMARY KEY (exercise_id, position)
);

ALTER TABLE grant_deliverables ADD COLUMN toolkit_item_id INTEGER REFERENCES toolkit_items (id);

CREATE TABLE awareness_event_materials (
    event_id INTEGER NOT NULL REFERENCES awareness_events (id),
    item_id  INTEGER NOT NULL REFERENCES toolkit_items (id),
    PRIMARY KEY (event_id, item_id)
);
