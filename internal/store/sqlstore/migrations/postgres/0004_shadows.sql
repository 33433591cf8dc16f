-- Shadow records: what Cognate keeps about a login that names no user, so
-- that with PreventUserExistenceErrors an unknown name is throttled and
-- locked out as a real user is. The same schema as sqlite/0004_shadows.sql.
-- data is a JSON document owned by the user package; a row whose expires_ms
-- has passed is treated as absent and deleted by the next write to the pool.
CREATE TABLE shadows (
    pool_id    TEXT COLLATE "C" NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    shadow_key TEXT COLLATE "C" NOT NULL,
    data       BYTEA  NOT NULL,
    expires_ms BIGINT NOT NULL,
    CONSTRAINT shadows_pkey PRIMARY KEY (pool_id, shadow_key)
);

CREATE INDEX shadows_expiry ON shadows (pool_id, expires_ms);
