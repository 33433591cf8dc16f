-- Users and what hangs off them: aliases, refresh tokens, the outbox,
-- signing keys, and server-wide meta values. The same schema as
-- sqlite/0002_users.sql. Every text column that is compared, ordered or
-- range-scanned is COLLATE "C", so that ListUsers pages and prefix ranges
-- are in byte order, as on SQLite, whatever the database's collation; a
-- prefix filter is then the index range [v, next(v)) on both engines.
--
-- A user is one row: the columns ListUsers filters on, a JSON copy of the
-- user's aliases (so reading a user is one row) and the user package's JSON
-- document (TEXT, not JSONB: the store gives the bytes back unchanged).
-- Filter columns are NULL when the user has no such attribute.
CREATE TABLE users (
    pool_id            TEXT COLLATE "C" NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    user_key           TEXT COLLATE "C" NOT NULL,
    username           TEXT COLLATE "C" NOT NULL,
    sub                TEXT COLLATE "C" NOT NULL,
    status             TEXT COLLATE "C" NOT NULL,
    enabled            BOOLEAN NOT NULL,
    created_ms         BIGINT  NOT NULL,
    updated_ms         BIGINT  NOT NULL,
    email              TEXT COLLATE "C",
    phone_number       TEXT COLLATE "C",
    name               TEXT COLLATE "C",
    given_name         TEXT COLLATE "C",
    family_name        TEXT COLLATE "C",
    preferred_username TEXT COLLATE "C",
    aliases            TEXT    NOT NULL,
    data               TEXT    NOT NULL,
    CONSTRAINT users_pkey PRIMARY KEY (pool_id, user_key),
    CONSTRAINT users_sub_key UNIQUE (pool_id, sub)
);

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
    pool_id  TEXT COLLATE "C" NOT NULL,
    user_key TEXT COLLATE "C" NOT NULL,
    kind     TEXT COLLATE "C" NOT NULL,
    value    TEXT COLLATE "C" NOT NULL,
    CONSTRAINT user_aliases_pkey PRIMARY KEY (pool_id, user_key, kind),
    CONSTRAINT user_aliases_value_key UNIQUE (pool_id, kind, value),
    CONSTRAINT user_aliases_user_fkey FOREIGN KEY (pool_id, user_key)
        REFERENCES users (pool_id, user_key) ON DELETE CASCADE
);

-- Refresh tokens by hash; revoked_ms is NULL while the token is live.
CREATE TABLE refresh_tokens (
    pool_id    TEXT COLLATE "C" NOT NULL,
    hash       TEXT COLLATE "C" NOT NULL,
    user_key   TEXT COLLATE "C" NOT NULL,
    client_id  TEXT COLLATE "C" NOT NULL,
    origin_jti TEXT COLLATE "C" NOT NULL,
    auth_ms    BIGINT NOT NULL,
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    revoked_ms BIGINT,
    data       TEXT   NOT NULL,
    CONSTRAINT refresh_tokens_pkey PRIMARY KEY (pool_id, hash),
    CONSTRAINT refresh_tokens_user_fkey FOREIGN KEY (pool_id, user_key)
        REFERENCES users (pool_id, user_key) ON DELETE CASCADE
);

CREATE INDEX refresh_tokens_user ON refresh_tokens (pool_id, user_key, origin_jti);
CREATE INDEX refresh_tokens_family ON refresh_tokens (pool_id, origin_jti);

-- The outbox. Messages outlive their user (they are the record of what was
-- sent) but not their pool. lease_until_ms is NULL unless a dispatcher has
-- claimed the message.
CREATE TABLE outbox (
    pool_id         TEXT COLLATE "C" NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    id              TEXT COLLATE "C" NOT NULL,
    user_key        TEXT COLLATE "C" NOT NULL,
    created_ms      BIGINT  NOT NULL,
    medium          TEXT    NOT NULL,
    destination     TEXT    NOT NULL,
    attribute       TEXT    NOT NULL,
    trigger_source  TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            BYTEA,
    code            BYTEA,
    delivered       BOOLEAN NOT NULL,
    attempts        BIGINT  NOT NULL,
    next_attempt_ms BIGINT  NOT NULL,
    lease_until_ms  BIGINT,
    last_error      TEXT    NOT NULL,
    CONSTRAINT outbox_pkey PRIMARY KEY (pool_id, id)
);

CREATE INDEX outbox_pool_created ON outbox (pool_id, created_ms, id);
CREATE INDEX outbox_user_created ON outbox (pool_id, user_key, created_ms, id);
-- What ClaimMessages scans: undelivered messages by due time.
CREATE INDEX outbox_due ON outbox (next_attempt_ms) WHERE NOT delivered;

CREATE TABLE signing_keys (
    pool_id     TEXT COLLATE "C" NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    kid         TEXT COLLATE "C" NOT NULL,
    key_use     TEXT   NOT NULL,
    created_ms  BIGINT NOT NULL,
    private_key BYTEA,
    public_key  BYTEA,
    CONSTRAINT signing_keys_pkey PRIMARY KEY (pool_id, kid)
);

-- Server-wide values (the local keyring, the clock offset).
CREATE TABLE meta (
    name  TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    value BYTEA
);
