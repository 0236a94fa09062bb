-- Informational scanner output (issue 11, section 3) is kept as information about the asset, with
-- the status 'informational' (no deadline, never open); an import says how many it kept aside.
ALTER TABLE imports ADD COLUMN informational BIGINT NOT NULL DEFAULT 0;

-- No internal rule codes in what people read (issue 11, section 5): the grant's governance text.
UPDATE project_grants SET governance = REPLACE(governance, ' (V5)', '');

-- No report is lost (issue 11, section 4): one on a system outside the published scope is
-- received and marked so.
ALTER TABLE reports ADD COLUMN outside_scope BOOLEAN NOT NULL DEFAULT FALSE;
