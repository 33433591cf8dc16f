-- User pools and their app clients. Settings are the userpool package's JSON
-- documents, kept opaque so that new Cognito settings need no migration; TEXT
-- rather than JSONB because JSONB rewrites the document (key order,
-- whitespace) and the store promises the bytes back unchanged. Times are
-- epoch milliseconds, which CockroachDB and YugabyteDB store the same way.
--
-- Ids are COLLATE "C" so that ORDER BY id (pagination) is byte order whatever
-- the database's default collation, the same order SQLite gives.

CREATE TABLE user_pools (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    settings   TEXT   NOT NULL
);

-- Client ids are globally unique (unsigned calls find their pool from the
-- client id alone), so id alone is the primary key; (pool_id, id) serves the
-- pool-scoped statements and the cascade.
CREATE TABLE app_clients (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    pool_id    TEXT COLLATE "C" NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    name       TEXT   NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    settings   TEXT   NOT NULL
);

CREATE INDEX app_clients_pool_id_id ON app_clients (pool_id, id);
