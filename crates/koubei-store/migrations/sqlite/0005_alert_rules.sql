-- Alert rules added over the API (rules in the configuration file are not stored here).
-- `rule` is the rule as JSON, the same fields as in the file.
CREATE TABLE alert_rules (
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    name            TEXT NOT NULL,
    rule            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    PRIMARY KEY (workspace_id, name)
);
