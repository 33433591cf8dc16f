-- User pools and their app clients. Settings are the userpool package's JSON
-- documents, kept opaque so that new Cognito settings need no migration.
-- Times are epoch milliseconds. STRICT makes SQLite refuse a value of the
-- wrong type instead of silently storing it (a BLOB in settings would later
-- confuse SQLite's json functions, which read BLOBs as binary JSONB).

CREATE TABLE user_pools (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    settings   TEXT    NOT NULL
) STRICT;

-- Client ids are globally unique (unsigned calls find their pool from the
-- client id alone), so id alone is the primary key; (pool_id, id) serves the
-- pool-scoped statements and the cascade.
CREATE TABLE app_clients (
    id         TEXT    NOT NULL PRIMARY KEY,
    pool_id    TEXT    NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    settings   TEXT    NOT NULL
) STRICT;

CREATE INDEX app_clients_pool_id_id ON app_clients (pool_id, id);
