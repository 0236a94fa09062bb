-- Remediation (issue 4, items 8 and 9): who owns a finding and who took its last remediation
-- step (the "who" of an accepted risk), and the record of a basic audit's remediation day: when,
-- who attended, and per finding on its agenda whether an action was started.

ALTER TABLE findings ADD COLUMN owner_id INTEGER REFERENCES people (id);
ALTER TABLE findings ADD COLUMN status_by INTEGER REFERENCES people (id);
CREATE INDEX findings_owner ON findings (owner_id);
CREATE INDEX findings_due ON findings (government_id, due_on);

CREATE TABLE remediation_days (
    order_id    INTEGER PRIMARY KEY REFERENCES orders (id),
    held_on     TEXT NOT NULL,
    -- Who attended besides the government's people in the platform: names and roles, free text.
    attendees   TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER NOT NULL REFERENCES people (id),
    recorded_at TEXT NOT NULL
);

CREATE TABLE remediation_day_people (
    order_id  INTEGER NOT NULL REFERENCES remediation_days (order_id),
    person_id INTEGER NOT NULL REFERENCES people (id),
    PRIMARY KEY (order_id, person_id)
);

CREATE TABLE remediation_day_actions (
    order_id   INTEGER NOT NULL REFERENCES remediation_days (order_id),
    finding_id INTEGER NOT NULL REFERENCES findings (id),
    position   INTEGER NOT NULL,
    started    INTEGER NOT NULL DEFAULT 0,
    note       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (order_id, finding_id)
);
