-- Several servers on one database (issue 15, target 5): a server claims a mail for a while
-- before it sends it, so no other server sends it at the same time; a claim whose time has passed
-- (its server stopped in the middle) may be taken over.

ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until TIMESTAMPTZ;
