-- Change counters per workspace, so that a reader holding an in-memory index of the
-- workspace can tell cheaply whether it is stale. `revision` grows with every batch that
-- stores new reviews; `epoch` grows whenever stored reviews change or go away (re-analysis,
-- deletion), which an index can only follow by rebuilding.
ALTER TABLE workspaces ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE workspaces ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0;
