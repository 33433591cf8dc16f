-- User pool domains: the hosts of the OAuth 2.0 endpoints and login pages.
-- The same schema as postgres/0005_domains.sql. A name is unique across the
-- store (the primary key), and a pool has at most one domain of each kind
-- (pool_domains_kind); domains go with their pool.
--
-- kind is 'prefix' or 'custom'; settings is a JSON document owned by the
-- domain code.
CREATE TABLE pool_domains (
    name       TEXT NOT NULL PRIMARY KEY,
    pool_id    TEXT NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    settings   TEXT    NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX pool_domains_kind ON pool_domains (pool_id, kind);
