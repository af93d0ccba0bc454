-- The audit log: who did what to the data and the settings, and when (deletions,
-- retention runs, exports, logins, setting changes). Rows are only ever added.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY,
    workspace_id    TEXT NOT NULL,
    at              TEXT NOT NULL,
    actor           TEXT NOT NULL,
    action          TEXT NOT NULL,
    detail          TEXT NOT NULL
);

CREATE INDEX audit_ws_at ON audit_log (workspace_id, at);
CREATE INDEX reviews_ws_source ON reviews (workspace_id, source_file);
CREATE INDEX reviews_ws_author ON reviews (workspace_id, author);
