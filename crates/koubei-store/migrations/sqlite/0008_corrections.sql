-- Analysts' corrections of a mention's polarity. The mention itself carries the corrected
-- polarity (and in engine_polarity what the engine had said); this table keeps each
-- correction so that re-analysis, which rewrites the mentions, applies it again: to the
-- mention of the same indicator (by its id, which survives a rename) whose evidence overlaps.
CREATE TABLE corrections (
    id              INTEGER PRIMARY KEY,
    workspace_id    TEXT NOT NULL,
    review_id       INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    part            INTEGER NOT NULL,            -- 0 = review text, 1 = follow-up text
    indicator_id    TEXT NOT NULL,
    indicator_path  TEXT NOT NULL,               -- as it was named when corrected
    start_char      INTEGER NOT NULL,
    end_char        INTEGER NOT NULL,
    engine_polarity TEXT NOT NULL,               -- what the engine said, at the last analysis
    polarity        TEXT NOT NULL,
    actor           TEXT NOT NULL,
    at              TEXT NOT NULL,
    UNIQUE (workspace_id, review_id, part, indicator_id, start_char, end_char)
);

CREATE INDEX corrections_review ON corrections (review_id);

ALTER TABLE mentions ADD COLUMN engine_polarity TEXT;
