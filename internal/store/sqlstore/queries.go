package sqlstore

// The statements are shared by both dialects: modernc's SQLite accepts
// PostgreSQL's $n placeholders. Only row locking differs. Every statement on
// app_clients filters on pool_id except lookupClient, the one global lookup.
const (
	poolCols   = "id, name, created_ms, updated_ms, settings"
	clientCols = "pool_id, id, name, created_ms, updated_ms, settings"

	insertPool = "INSERT INTO user_pools (" + poolCols + ") VALUES ($1, $2, $3, $4, $5)"
	selectPool = "SELECT " + poolCols + " FROM user_pools WHERE id = $1"
	updatePool = "UPDATE user_pools SET name = $2, created_ms = $3, updated_ms = $4, settings = $5 WHERE id = $1"
	// Clients go with their pool through ON DELETE CASCADE, so one
	// statement deletes everything atomically.
	deletePool = "DELETE FROM user_pools WHERE id = $1"
	listPools  = "SELECT " + poolCols + " FROM user_pools WHERE id > $1 ORDER BY id LIMIT $2"

	// One statement checks that the pool exists and inserts: no extra
	// round trip, and no reliance on the text of a foreign-key error.
	insertClient = "INSERT INTO app_clients (" + clientCols + ") " +
		"SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM user_pools WHERE id = $1)"
	selectClient = "SELECT " + clientCols + " FROM app_clients WHERE pool_id = $1 AND id = $2"
	updateClient = "UPDATE app_clients SET name = $3, created_ms = $4, updated_ms = $5, settings = $6 " +
		"WHERE pool_id = $1 AND id = $2"
	deleteClient = "DELETE FROM app_clients WHERE pool_id = $1 AND id = $2"
	listClients  = "SELECT " + clientCols + " FROM app_clients WHERE pool_id = $1 AND id > $2 ORDER BY id LIMIT $3"
	lookupClient = "SELECT " + clientCols + " FROM app_clients WHERE id = $1"
)

// queries holds the statements whose text depends on the dialect.
type queries struct {
	selectPoolForUpdate   string
	selectClientForUpdate string
	selectUserForUpdate   string
}

func newQueries(d dialect) queries {
	// SQLite has no FOR UPDATE and needs none: the transaction began with
	// BEGIN IMMEDIATE and already holds the database's write lock.
	lock := ""
	if d == dialectPostgres {
		lock = " FOR UPDATE"
	}
	return queries{
		selectPoolForUpdate:   selectPool + lock,
		selectClientForUpdate: selectClient + lock,
		selectUserForUpdate:   selectUser + lock,
	}
}
