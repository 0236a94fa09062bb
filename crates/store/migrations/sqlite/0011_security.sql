-- What an attacker and a crash found (issue 10).

-- Rate limits every server shares (items 6 and 7): one number per scope and key, the state of
-- the limit (cyberveilig_domain::throttle), in milliseconds since 1970.
CREATE TABLE rate_limits (
    scope TEXT NOT NULL,
    key   TEXT NOT NULL,
    state INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);

-- Idempotency keys are written in the same transaction as the work they answer (item 5): a key
-- without an answer is one whose request ran in several transactions and lost its answer.
-- Claims left by requests that died before this change can never be answered: they go.
DELETE FROM idempotency_keys WHERE status IS NULL;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- The audit chain's head, signed at every commit with a key held outside the database (item 14).
CREATE TABLE audit_signatures (
    seq       INTEGER PRIMARY KEY,
    hash      TEXT NOT NULL,
    key_id    TEXT NOT NULL,
    signature TEXT NOT NULL,
    signed_at TEXT NOT NULL
);
