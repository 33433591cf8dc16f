-- Groups and their members. The same schema as postgres/0003_groups.sql.
-- Group names are case sensitive: SQLite compares TEXT with memcmp
-- (BINARY), so names and pages are in byte order.
--
-- precedence is NULL when the group has none.
CREATE TABLE pool_groups (
    pool_id     TEXT    NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    precedence  INTEGER,
    role_arn    TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL,
    PRIMARY KEY (pool_id, name)
) STRICT;

-- One row per membership. Rows go with their group, with their user, and
-- (through both) with their pool. The primary key serves a group's members
-- in key order; group_members_user serves a user's groups and the cascade
-- from users.
CREATE TABLE group_members (
    pool_id    TEXT NOT NULL,
    group_name TEXT NOT NULL,
    user_key   TEXT NOT NULL,
    PRIMARY KEY (pool_id, group_name, user_key),
    FOREIGN KEY (pool_id, group_name) REFERENCES pool_groups (pool_id, name) ON DELETE CASCADE,
    FOREIGN KEY (pool_id, user_key) REFERENCES users (pool_id, user_key) ON DELETE CASCADE
) STRICT;

CREATE INDEX group_members_user ON group_members (pool_id, user_key, group_name);
