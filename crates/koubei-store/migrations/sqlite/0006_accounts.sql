-- Accounts and their sessions. A password is stored as its Argon2id PHC string; a session
-- as the SHA-256 of the cookie's secret, with the CSRF token its forms must echo.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    username        TEXT NOT NULL,
    password_hash   TEXT NOT NULL,
    role            TEXT NOT NULL,              -- admin, analyst, viewer
    created_at      TEXT NOT NULL,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    UNIQUE (workspace_id, username)
);

CREATE TABLE sessions (
    id              INTEGER PRIMARY KEY,
    workspace_id    TEXT NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret_sha256   TEXT NOT NULL UNIQUE,
    csrf            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    expires_at      TEXT NOT NULL
);
