-- The steering group's meeting documents (issue 13, part 4): PDFs its keepers attach to a meeting.

CREATE TABLE steering_documents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id  INTEGER NOT NULL REFERENCES steering_meetings (id),
    title       TEXT NOT NULL,
    filename    TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    content     BLOB NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES people (id),
    uploaded_at TEXT NOT NULL
);
CREATE INDEX steering_documents_by_meeting ON steering_documents (meeting_id, id);
