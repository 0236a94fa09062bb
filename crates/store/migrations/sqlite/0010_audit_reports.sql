-- Issue 11: the audit report of a basic audit, a PDF its firm uploads on the order, kept in the
-- database like the attachments of vulnerability reports (docs/DECISIONS.md). Every upload is
-- kept; the newest is the order's report.
CREATE TABLE audit_reports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id    INTEGER NOT NULL REFERENCES orders (id),
    filename    TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    pdf_version TEXT NOT NULL,
    content     BLOB NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES people (id),
    at          TEXT NOT NULL
);
CREATE INDEX audit_reports_order ON audit_reports (order_id, id);
