-- VVSG's work package 3 (issue 13): awareness events, registrations with a waiting list, and
-- the personal calendar feeds people subscribe to.

CREATE TABLE awareness_events (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    -- webinar, session, exercise
    kind                  TEXT NOT NULL,
    title                 TEXT NOT NULL,
    description           TEXT NOT NULL,
    -- Comma-separated audience codes (mayor_and_council, general_director, ict, all_staff).
    audience              TEXT NOT NULL,
    starts_at             TEXT NOT NULL,
    ends_at               TEXT NOT NULL,
    place                 TEXT,
    online_url            TEXT,
    capacity              INTEGER NOT NULL,
    registration_deadline TEXT NOT NULL,
    -- Whether people of organisations other than local governments may register.
    open_to_others        INTEGER NOT NULL DEFAULT 0,
    organiser_id          INTEGER NOT NULL REFERENCES people (id),
    cancelled_at          TEXT,
    cancelled_reason      TEXT,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX awareness_events_by_start ON awareness_events (starts_at, id);

CREATE TABLE awareness_registrations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        INTEGER NOT NULL REFERENCES awareness_events (id),
    person_id       INTEGER NOT NULL REFERENCES people (id),
    organisation_id INTEGER NOT NULL REFERENCES organisations (id),
    -- registered, waiting, cancelled
    state           TEXT NOT NULL,
    -- Order of arrival: the waiting list moves up in this order.
    position        INTEGER NOT NULL,
    registered_at   TEXT NOT NULL,
    promoted_at     TEXT,
    cancelled_at    TEXT,
    -- NULL until recorded after the event.
    attended        INTEGER,
    reminded_at     TEXT,
    UNIQUE (event_id, person_id)
);
CREATE INDEX awareness_registrations_by_state ON awareness_registrations (event_id, state, position);
CREATE INDEX awareness_registrations_by_person ON awareness_registrations (person_id);

-- A person's calendar feed: the token is in the URL a calendar application polls without a
-- session, so only its SHA-256 is kept.
CREATE TABLE calendar_feeds (
    person_id  INTEGER PRIMARY KEY REFERENCES people (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
