-- VVSG's action plan (issue 13, part 4): the steering group, its members, its meetings with
-- their agenda, minutes and numbered decisions, and the action items it gives its members.
-- (The link from an action item to an item of the action plan is added with the action plan.)

CREATE TABLE steering_members (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    person_id       INTEGER NOT NULL UNIQUE REFERENCES people (id),
    -- The organisation the person represents in the group.
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    -- chair, member, secretary
    role            TEXT NOT NULL,
    joined_at       TEXT NOT NULL,
    -- NULL while the person is a member.
    left_at         TEXT
);

CREATE TABLE steering_meetings (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    title          TEXT NOT NULL,
    starts_at      TEXT NOT NULL,
    place          TEXT NOT NULL,
    -- Markdown; NULL until written.
    minutes        TEXT,
    -- draft, approved
    minutes_state  TEXT NOT NULL DEFAULT 'draft',
    -- The meeting where the minutes were approved, and when.
    approved_at_meeting_id INTEGER REFERENCES steering_meetings (id),
    approved_at    TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX steering_meetings_by_start ON steering_meetings (starts_at, id);

CREATE TABLE steering_agenda_items (
    meeting_id INTEGER NOT NULL REFERENCES steering_meetings (id),
    position   INTEGER NOT NULL,
    title      TEXT NOT NULL,
    PRIMARY KEY (meeting_id, position)
);

CREATE TABLE steering_decisions (
    meeting_id  INTEGER NOT NULL REFERENCES steering_meetings (id),
    -- 1, 2, 3 ... per meeting.
    number      INTEGER NOT NULL,
    text        TEXT NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES people (id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, number)
);

CREATE TABLE steering_action_items (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id INTEGER NOT NULL REFERENCES steering_meetings (id),
    title      TEXT NOT NULL,
    -- A member of the group.
    owner_id   INTEGER NOT NULL REFERENCES steering_members (id),
    due_on     TEXT NOT NULL,
    -- open, done, dropped
    status     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX steering_action_items_by_meeting ON steering_action_items (meeting_id, id);
CREATE INDEX steering_action_items_by_owner ON steering_action_items (owner_id, status);
