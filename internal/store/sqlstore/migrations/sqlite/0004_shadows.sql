-- Shadow records: what Cognate keeps about a login that names no user, so
-- that with PreventUserExistenceErrors an unknown name is throttled and
-- locked out as a real user is. The same schema as postgres/0004_shadows.sql.
-- data is a JSON document owned by the user package; a row whose expires_ms
-- has passed is treated as absent and deleted by the next write to the pool.
CREATE TABLE shadows (
    pool_id    TEXT    NOT NULL REFERENCES user_pools (id) ON DELETE CASCADE,
    shadow_key TEXT    NOT NULL,
    data       BLOB    NOT NULL,
    expires_ms INTEGER NOT NULL,
    PRIMARY KEY (pool_id, shadow_key)
) STRICT;

CREATE INDEX shadows_expiry ON shadows (pool_id, expires_ms);
