-- Users and what hangs off them: aliases, refresh tokens, the outbox,
-- signing keys, and server-wide meta values. The same schema as
-- postgres/0002_users.sql; SQLite compares TEXT with memcmp (BINARY), the
-- byte order PostgreSQL gets from COLLATE "C".
--
-- A user is one row: the columns ListUsers filters on, a JSON copy of the
-- user's aliases (so reading a user is one row) and the user package's JSON
-- document. Filter columns are NULL when the user has no such attribute.
CREATE TABLE users (
    pool_id            TEXT    NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    user_key           TEXT    NOT NULL,
    username           TEXT    NOT NULL,
    sub                TEXT    NOT NULL,
    status             TEXT    NOT NULL,
    enabled            INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    created_ms         INTEGER NOT NULL,
    updated_ms         INTEGER NOT NULL,
    email              TEXT,
    phone_number       TEXT,
    name               TEXT,
    given_name         TEXT,
    family_name        TEXT,
    preferred_username TEXT,
    aliases            TEXT    NOT NULL,
    data               TEXT    NOT NULL,
    PRIMARY KEY (pool_id, user_key),
    UNIQUE (pool_id, sub)
) STRICT;

-- ListUsers: one index per filter, ending in user_key so that a filtered
-- page is one range scan in (value, key) order. Optional attributes are
-- indexed only where present.
CREATE INDEX users_username ON users (pool_id, username, user_key);
CREATE INDEX users_status ON users (pool_id, status, user_key);
CREATE INDEX users_enabled ON users (pool_id, enabled, user_key);
CREATE INDEX users_email ON users (pool_id, email, user_key) WHERE email IS NOT NULL;
CREATE INDEX users_phone_number ON users (pool_id, phone_number, user_key) WHERE phone_number IS NOT NULL;
CREATE INDEX users_name ON users (pool_id, name, user_key) WHERE name IS NOT NULL;
CREATE INDEX users_given_name ON users (pool_id, given_name, user_key) WHERE given_name IS NOT NULL;
CREATE INDEX users_family_name ON users (pool_id, family_name, user_key) WHERE family_name IS NOT NULL;
CREATE INDEX users_preferred_username ON users (pool_id, preferred_username, user_key) WHERE preferred_username IS NOT NULL;

-- One row per alias a user holds (at most one per kind); the UNIQUE
-- constraint is what makes an alias unique in its pool. Rows go with their
-- user (and so with the pool).
CREATE TABLE user_aliases (
    pool_id  TEXT NOT NULL,
    user_key TEXT NOT NULL,
    kind     TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (pool_id, user_key, kind),
    UNIQUE (pool_id, kind, value),
    FOREIGN KEY (pool_id, user_key) REFERENCES users (pool_id, user_key) ON DELETE CASCADE
) STRICT;

-- Refresh tokens by hash; revoked_ms is NULL while the token is live.
CREATE TABLE refresh_tokens (
    pool_id    TEXT    NOT NULL,
    hash       TEXT    NOT NULL,
    user_key   TEXT    NOT NULL,
    client_id  TEXT    NOT NULL,
    origin_jti TEXT    NOT NULL,
    auth_ms    INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    revoked_ms INTEGER,
    data       TEXT    NOT NULL,
    PRIMARY KEY (pool_id, hash),
    FOREIGN KEY (pool_id, user_key) REFERENCES users (pool_id, user_key) ON DELETE CASCADE
) STRICT;

CREATE INDEX refresh_tokens_user ON refresh_tokens (pool_id, user_key, origin_jti);
CREATE INDEX refresh_tokens_family ON refresh_tokens (pool_id, origin_jti);

-- The outbox. Messages outlive their user (they are the record of what was
-- sent) but not their pool. lease_until_ms is NULL unless a dispatcher has
-- claimed the message.
CREATE TABLE outbox (
    pool_id         TEXT    NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    id              TEXT    NOT NULL,
    user_key        TEXT    NOT NULL,
    created_ms      INTEGER NOT NULL,
    medium          TEXT    NOT NULL,
    destination     TEXT    NOT NULL,
    attribute       TEXT    NOT NULL,
    trigger_source  TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            BLOB,
    code            BLOB,
    delivered       INTEGER NOT NULL CHECK (delivered IN (0, 1)),
    attempts        INTEGER NOT NULL,
    next_attempt_ms INTEGER NOT NULL,
    lease_until_ms  INTEGER,
    last_error      TEXT    NOT NULL,
    PRIMARY KEY (pool_id, id)
) STRICT;

CREATE INDEX outbox_pool_created ON outbox (pool_id, created_ms, id);
CREATE INDEX outbox_user_created ON outbox (pool_id, user_key, created_ms, id);
-- What ClaimMessages scans: undelivered messages by due time.
CREATE INDEX outbox_due ON outbox (next_attempt_ms) WHERE NOT delivered;

CREATE TABLE signing_keys (
    pool_id     TEXT    NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    kid         TEXT    NOT NULL,
    key_use     TEXT    NOT NULL,
    created_ms  INTEGER NOT NULL,
    private_key BLOB,
    public_key  BLOB,
    PRIMARY KEY (pool_id, kid)
) STRICT;

-- Server-wide values (the local keyring, the clock offset).
CREATE TABLE meta (
    name  TEXT NOT NULL PRIMARY KEY,
    value BLOB
) STRICT;
