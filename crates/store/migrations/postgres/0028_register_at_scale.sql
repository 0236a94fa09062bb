-- The register at scale (issue 15): each of the register's sorts is a key on the findings row,
-- so a page is a seek in an index after the last row of the page before (keyset), never an
-- OFFSET; and the findings are counted per government, order, status, decision and severity in
-- a table kept by triggers, so a page's total never counts the register.
--
-- The keys sort ascending, the most urgent first, and end with the id. The ranks are the
-- domain's: decision none 0, track 1, track* 2, attend 3, act 4 (ssvc::Decision::ALL); severity
-- info 0 to critical 4; CVSS score in tenths plus one, none 0. The same expressions as SQLite's.

ALTER TABLE findings
    ADD COLUMN priority_key BIGINT GENERATED ALWAYS AS (
        -(((CASE decision WHEN 'track' THEN 1 WHEN 'track*' THEN 2 WHEN 'attend' THEN 3 WHEN 'act' THEN 4 ELSE 0 END) * 8
           + severity_rank) * 128
          + (CASE WHEN cvss_score IS NULL THEN 0 ELSE round(cvss_score * 10)::BIGINT + 1 END))
    ) STORED,
    ADD COLUMN severity_key BIGINT GENERATED ALWAYS AS (
        -((severity_rank * 128 + (CASE WHEN cvss_score IS NULL THEN 0 ELSE round(cvss_score * 10)::BIGINT + 1 END)) * 8
          + (CASE decision WHEN 'track' THEN 1 WHEN 'track*' THEN 2 WHEN 'attend' THEN 3 WHEN 'act' THEN 4 ELSE 0 END))
    ) STORED,
    -- Days since 1970; without a deadline last.
    ADD COLUMN due_key BIGINT GENERATED ALWAYS AS (COALESCE(due_on - DATE '1970-01-01', 2147483647)) STORED,
    -- Most recently seen first, to the second.
    ADD COLUMN seen_key BIGINT GENERATED ALWAYS AS (
        -floor(extract(epoch FROM (last_seen AT TIME ZONE 'UTC')))::BIGINT
    ) STORED,
    -- '0' and the asset's name (an asset's name never changes), or '1' without an asset: last.
    -- Compared byte by byte, as SQLite does.
    ADD COLUMN asset_key TEXT COLLATE "C" NOT NULL DEFAULT '1';
UPDATE findings SET asset_key = '0' || a.name FROM assets a WHERE a.id = findings.asset_id;

CREATE FUNCTION findings_asset_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.asset_key := COALESCE('0' || (SELECT name FROM assets WHERE id = NEW.asset_id), '1');
    RETURN NEW;
END $$;
-- An insert that names the key itself (a bulk import) skips the lookup.
CREATE TRIGGER findings_asset_key BEFORE INSERT ON findings
    FOR EACH ROW WHEN (NEW.asset_id IS NOT NULL AND NEW.asset_key = '1') EXECUTE FUNCTION findings_asset_key();

DROP INDEX findings_priority;
DROP INDEX findings_order;
DROP INDEX findings_owner;
CREATE INDEX findings_by_priority ON findings (government_id, priority_key, id);
CREATE INDEX findings_by_severity ON findings (government_id, severity_key, id);
CREATE INDEX findings_by_due ON findings (government_id, due_key, priority_key, id);
CREATE INDEX findings_by_seen ON findings (government_id, seen_key, priority_key, id);
CREATE INDEX findings_by_asset ON findings (government_id, asset_key, priority_key, id);
-- The administrator's register, of every government.
CREATE INDEX findings_all_by_priority ON findings (priority_key, id);
CREATE INDEX findings_all_by_severity ON findings (severity_key, id);
CREATE INDEX findings_all_by_due ON findings (due_key, priority_key, id);
CREATE INDEX findings_all_by_seen ON findings (seen_key, priority_key, id);
CREATE INDEX findings_all_by_asset ON findings (asset_key, priority_key, id);
-- The narrow filters, in priority order.
CREATE INDEX findings_of_order ON findings (order_id, priority_key, id);
CREATE INDEX findings_of_asset ON findings (asset_id, priority_key, id);
-- A system's findings in each other order: a page never sorts a system's thousands.
CREATE INDEX findings_of_asset_by_severity ON findings (asset_id, severity_key, id);
CREATE INDEX findings_of_asset_by_due ON findings (asset_id, due_key, priority_key, id);
CREATE INDEX findings_of_asset_by_seen ON findings (asset_id, seen_key, priority_key, id);
CREATE INDEX findings_of_asset_by_asset ON findings (asset_id, asset_key, priority_key, id);
CREATE INDEX findings_of_owner ON findings (owner_id, priority_key, id) WHERE owner_id IS NOT NULL;
-- A person's findings in each other order: few findings have an owner, so these stay small.
CREATE INDEX findings_of_owner_by_severity ON findings (owner_id, severity_key, id) WHERE owner_id IS NOT NULL;
CREATE INDEX findings_of_owner_by_due ON findings (owner_id, due_key, priority_key, id) WHERE owner_id IS NOT NULL;
CREATE INDEX findings_of_owner_by_seen ON findings (owner_id, seen_key, priority_key, id) WHERE owner_id IS NOT NULL;
CREATE INDEX findings_of_owner_by_asset ON findings (owner_id, asset_key, priority_key, id) WHERE owner_id IS NOT NULL;

CREATE TABLE finding_tallies (
    government_id BIGINT NOT NULL,
    -- 0 for none (an engagement's findings).
    order_id      BIGINT NOT NULL,
    status        TEXT NOT NULL,
    -- '' for none.
    decision      TEXT NOT NULL,
    severity      TEXT NOT NULL,
    n             BIGINT NOT NULL,
    PRIMARY KEY (government_id, order_id, status, decision, severity)
);
INSERT INTO finding_tallies
    SELECT government_id, COALESCE(order_id, 0), status, COALESCE(decision, ''), severity, COUNT(*) FROM findings
    GROUP BY government_id, COALESCE(order_id, 0), status, COALESCE(decision, ''), severity;

-- Inserts come in bulk (imports): counted once per statement. The upserts go in key order so
-- two writers never wait on each other's rows crosswise.
CREATE FUNCTION findings_tally_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO finding_tallies
        SELECT government_id, COALESCE(order_id, 0), status, COALESCE(decision, ''), severity, COUNT(*) FROM inserted
        GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (government_id, order_id, status, decision, severity) DO UPDATE SET n = finding_tallies.n + EXCLUDED.n;
    RETURN NULL;
END $$;
CREATE TRIGGER findings_tally_insert AFTER INSERT ON findings
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION findings_tally_inserted();

-- Changes come one finding at a time, or in bulk with most rows unchanged in what is counted:
-- per row, and only for a row whose counted columns changed.
CREATE FUNCTION findings_tally_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE finding_tallies SET n = n - 1 WHERE government_id = OLD.government_id AND order_id = COALESCE(OLD.order_id, 0)
            AND status = OLD.status AND decision = COALESCE(OLD.decision, '') AND severity = OLD.severity;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO finding_tallies VALUES (NEW.government_id, COALESCE(NEW.order_id, 0), NEW.status, COALESCE(NEW.decision, ''), NEW.severity, 1)
        ON CONFLICT (government_id, order_id, status, decision, severity) DO UPDATE SET n = finding_tallies.n + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER findings_tally_update AFTER UPDATE ON findings FOR EACH ROW
    WHEN (OLD.government_id <> NEW.government_id OR OLD.order_id IS DISTINCT FROM NEW.order_id OR OLD.status <> NEW.status
          OR OLD.decision IS DISTINCT FROM NEW.decision OR OLD.severity <> NEW.severity)
    EXECUTE FUNCTION findings_tally_changed();
CREATE TRIGGER findings_tally_delete AFTER DELETE ON findings FOR EACH ROW EXECUTE FUNCTION findings_tally_changed();
