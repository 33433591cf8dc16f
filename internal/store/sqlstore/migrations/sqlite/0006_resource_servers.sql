-- OAuth 2.0 resource servers of a user pool. The same schema as
-- postgres/0006_resource_servers.sql. Identifiers are case sensitive and
-- listed in byte order; rows go with their pool. scopes is a JSON document
-- owned by the resource-server code.
CREATE TABLE resource_servers (
    pool_id    TEXT NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    identifier TEXT NOT NULL,
    name       TEXT    NOT NULL,
    scopes     TEXT    NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (pool_id, identifier)
) STRICT;
