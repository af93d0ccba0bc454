-- Intake tokens and the alert outbox.
--
-- A token is stored as the SHA-256 of its secret, never the secret itself; `role` says what
-- it may do (`ingest`: push reviews only).
CREATE TABLE tokens (
    id              INTEGER PRIMARY KEY,
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    name            TEXT NOT NULL,
    secret_sha256   TEXT NOT NULL UNIQUE,
    role            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    expires_at      TEXT,
    revoked_at      TEXT,
    last_used_at    TEXT
);

-- An alert is written once per key (a rule and what it is about), whatever retries or
-- restarts happen; each of its channels gets a delivery row that the sender works off.
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    alert_key       TEXT NOT NULL,
    rule            TEXT NOT NULL,
    severity        TEXT NOT NULL,
    title           TEXT NOT NULL,
    message         TEXT NOT NULL,            -- the AlertMessage as JSON
    created_at      TEXT NOT NULL,
    UNIQUE (workspace_id, alert_key)
);

CREATE INDEX alerts_ws_rule ON alerts (workspace_id, rule, created_at);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    workspace_id    TEXT NOT NULL,
    alert_id        INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    channel         TEXT NOT NULL,
    status          TEXT NOT NULL,            -- pending, sent, failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    sent_at         TEXT,
    UNIQUE (alert_id, channel)
);

CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);

-- Alert windows count reviews by when they were written, or, for reviews that do not say,
-- when they arrived.
CREATE INDEX reviews_ws_imported_undated ON reviews (workspace_id, imported_at)
    WHERE created_at IS NULL;
