-- Groups and their members. The same schema as sqlite/0003_groups.sql.
-- Group names are case sensitive and COLLATE "C", so that pages are in byte
-- order, as on SQLite, whatever the database's collation.
--
-- precedence is NULL when the group has none; INTEGER holds Cognito's
-- whole range (0 to 2^31-1).
CREATE TABLE pool_groups (
    pool_id     TEXT COLLATE "C" NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    name        TEXT COLLATE "C" NOT NULL,
    description TEXT    NOT NULL,
    precedence  INTEGER,
    role_arn    TEXT    NOT NULL,
    created_ms  BIGINT  NOT NULL,
    updated_ms  BIGINT  NOT NULL,
    CONSTRAINT pool_groups_pkey PRIMARY KEY (pool_id, name)
);

-- One row per membership. Rows go with their group, with their user, and
-- (through both) with their pool. The primary key serves a group's members
-- in key order; group_members_user serves a user's groups and the cascade
-- from users.
CREATE TABLE group_members (
    pool_id    TEXT COLLATE "C" NOT NULL,
    group_name TEXT COLLATE "C" NOT NULL,
    user_key   TEXT COLLATE "C" NOT NULL,
    CONSTRAINT group_members_pkey PRIMARY KEY (pool_id, group_name, user_key),
    CONSTRAINT group_members_group_fkey FOREIGN KEY (pool_id, group_name)
        REFERENCES pool_groups (pool_id, name) ON DELETE CASCADE,
    CONSTRAINT group_members_user_fkey FOREIGN KEY (pool_id, user_key)
        REFERENCES users (pool_id, user_key) ON DELETE CASCADE
);

CREATE INDEX group_members_user ON group_members (pool_id, user_key, group_name);
