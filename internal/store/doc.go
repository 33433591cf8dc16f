// Package store owns what survives a restart: the Store interface over plain
// domain records, the errors every backend maps its driver errors to, and the
// contract that updaters are pure. Backends live in sub-packages (sqlstore for
// SQLite and PostgreSQL) and all of them pass the same conformance suite in
// storetest.
package store
