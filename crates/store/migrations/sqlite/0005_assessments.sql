-- Control catalogues and assessments (issue 4, items 2 and 3): catalogues loaded from library
-- files (the built-in baseline of the basic audit among them), their areas and controls with
-- text in Dutch and English, and the firm's rating of each control for an order.

CREATE TABLE catalogues (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    urn        TEXT NOT NULL,
    version    INTEGER NOT NULL,
    ref_id     TEXT NOT NULL,
    name_nl    TEXT NOT NULL,
    name_en    TEXT NOT NULL,
    provider   TEXT,
    loaded_by  INTEGER REFERENCES people (id),
    loaded_at  TEXT NOT NULL,
    UNIQUE (urn, version)
);

CREATE TABLE catalogue_areas (
    catalogue_id INTEGER NOT NULL REFERENCES catalogues (id),
    position     INTEGER NOT NULL,
    ref_id       TEXT NOT NULL,
    name_nl      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    PRIMARY KEY (catalogue_id, ref_id)
);

CREATE TABLE controls (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    catalogue_id INTEGER NOT NULL REFERENCES catalogues (id),
    position     INTEGER NOT NULL,
    ref_id       TEXT NOT NULL,
    area_ref     TEXT NOT NULL,
    title_nl     TEXT NOT NULL,
    title_en     TEXT NOT NULL,
    guidance_nl  TEXT NOT NULL,
    guidance_en  TEXT NOT NULL,
    evidence_nl  TEXT NOT NULL,
    evidence_en  TEXT NOT NULL,
    UNIQUE (catalogue_id, ref_id)
);

CREATE TABLE assessments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id      INTEGER NOT NULL REFERENCES orders (id),
    catalogue_id  INTEGER NOT NULL REFERENCES catalogues (id),
    government_id INTEGER NOT NULL REFERENCES organisations (id),
    started_by    INTEGER REFERENCES people (id),
    started_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (order_id, catalogue_id)
);
CREATE INDEX assessments_government ON assessments (government_id, catalogue_id, id);

CREATE TABLE ratings (
    assessment_id INTEGER NOT NULL REFERENCES assessments (id),
    control_id    INTEGER NOT NULL REFERENCES controls (id),
    rating        TEXT NOT NULL,
    evidence      TEXT,
    notes         TEXT,
    rated_by      INTEGER REFERENCES people (id),
    rated_at      TEXT NOT NULL,
    PRIMARY KEY (assessment_id, control_id)
);
