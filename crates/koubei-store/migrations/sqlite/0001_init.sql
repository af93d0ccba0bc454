-- The first schema. Never edit a migration once it has landed: add a new file instead.
-- Every table's keys start with the workspace id (one brand or client per workspace).

CREATE TABLE workspaces (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE reviews (
    id                  INTEGER PRIMARY KEY,
    workspace_id        TEXT NOT NULL REFERENCES workspaces(id),
    dedup_key           TEXT NOT NULL,
    channel             TEXT NOT NULL,
    channel_review_id   TEXT,
    shop                TEXT,
    brand               TEXT,
    category            TEXT,
    series              TEXT,
    model               TEXT,
    product             TEXT,
    rating              INTEGER,
    text                TEXT NOT NULL,
    followup_text       TEXT,
    followup_at         TEXT,
    created_at          TEXT,
    author              TEXT,
    source_file         TEXT,
    source_row          INTEGER,
    imported_at         TEXT NOT NULL,
    polarity            TEXT,
    score               REAL,
    flags               TEXT NOT NULL DEFAULT '',
    excluded            INTEGER NOT NULL DEFAULT 0,
    engine_version      TEXT,
    UNIQUE (workspace_id, dedup_key)
);

CREATE INDEX reviews_ws_created ON reviews (workspace_id, created_at);
CREATE INDEX reviews_ws_brand_model ON reviews (workspace_id, brand, model);

CREATE TABLE mentions (
    id              INTEGER PRIMARY KEY,
    workspace_id    TEXT NOT NULL,
    review_id       INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    part            INTEGER NOT NULL DEFAULT 0,   -- 0 = review text, 1 = follow-up text
    indicator_id    TEXT NOT NULL,
    indicator_path  TEXT NOT NULL,
    code            TEXT,
    aspect          TEXT,
    opinion         TEXT NOT NULL,
    typical         TEXT NOT NULL,
    polarity        TEXT NOT NULL,
    start_char      INTEGER NOT NULL,
    end_char        INTEGER NOT NULL
);

CREATE INDEX mentions_review ON mentions (review_id);
CREATE INDEX mentions_ws_path ON mentions (workspace_id, indicator_path, polarity);
