-- OAuth 2.0 resource servers of a user pool. The same schema as
-- sqlite/0006_resource_servers.sql. Identifiers are case sensitive and
-- listed in byte order; rows go with their pool. scopes is a JSON document
-- owned by the resource-server code.
CREATE TABLE resource_servers (
    pool_id    TEXT COLLATE "C" NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    identifier TEXT COLLATE "C" NOT NULL,
    name       TEXT    NOT NULL,
    scopes     TEXT    NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (pool_id, identifier)
);
