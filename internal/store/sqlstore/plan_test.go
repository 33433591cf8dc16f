package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cognate/cognate/internal/store"
	"github.com/cognate/cognate/internal/store/pgtest"
	"github.com/cognate/cognate/internal/store/sqlstore"
)

// planCases are the ListUsers shapes whose plans must be index range scans
// in the order the page is returned: no full scan, no sort.
func planCases() []struct {
	name  string
	q     store.UserQuery
	index string // the index the plan must use
} {
	cursor := func(q store.UserQuery, value, key string) store.UserQuery {
		q.Cursor = sqlstore.EncodeCursorForTest(q, value, key)
		return q
	}
	var cases []struct {
		name  string
		q     store.UserQuery
		index string
	}
	add := func(name string, q store.UserQuery, index string) {
		q.Limit = 10
		cases = append(cases, struct {
			name  string
			q     store.UserQuery
			index string
		}{name, q, index})
	}
	add("all", store.UserQuery{}, "pkey")
	add("all after a cursor", cursor(store.UserQuery{Limit: 10}, "", "k"), "pkey")
	for _, a := range []struct{ attr, index string }{
		{"username", "users_username"}, {"cognito:user_status", "users_status"},
		{"email", "users_email"}, {"phone_number", "users_phone_number"}, {"name", "users_name"},
		{"given_name", "users_given_name"}, {"family_name", "users_family_name"},
		{"preferred_username", "users_preferred_username"},
	} {
		exact := store.UserQuery{Attribute: a.attr, Value: "ab"}
		prefix := store.UserQuery{Attribute: a.attr, Value: "ab", Prefix: true}
		add(a.attr+" exact", exact, a.index)
		add(a.attr+" exact after a cursor", cursor(store.UserQuery{Attribute: a.attr, Value: "ab", Limit: 10}, "", "k"), a.index)
		add(a.attr+" prefix", prefix, a.index)
		add(a.attr+" prefix after a cursor", cursor(store.UserQuery{Attribute: a.attr, Value: "ab", Prefix: true, Limit: 10}, "abc", "k"), a.index)
		add(a.attr+" empty prefix", store.UserQuery{Attribute: a.attr, Prefix: true}, a.index)
	}
	add("sub exact", store.UserQuery{Attribute: "sub", Value: "ab"}, "sub")
	add("sub prefix", store.UserQuery{Attribute: "sub", Value: "ab", Prefix: true}, "sub")
	add("sub prefix after a cursor", cursor(store.UserQuery{Attribute: "sub", Value: "ab", Prefix: true, Limit: 10}, "abc", "k"), "sub")
	add("status", store.UserQuery{Attribute: "status", Value: "false"}, "users_enabled")
	add("status after a cursor", cursor(store.UserQuery{Attribute: "status", Value: "true", Limit: 10}, "", "k"), "users_enabled")
	return cases
}

func TestSQLiteListUsersPlans(t *testing.T) {
	t.Parallel()
	s := openSQLite(t, filepath.Join(t.TempDir(), "cognate.db"))
	checkPlans(t, s.DB(), "EXPLAIN QUERY PLAN ", func(plan string) string {
		switch {
		case strings.Contains(plan, "SCAN "):
			return "a full scan"
		case strings.Contains(plan, "TEMP B-TREE"):
			return "a sort"
		}
		return ""
	}, func(index string) string {
		switch index {
		case "pkey":
			return "sqlite_autoindex_users_1"
		case "sub":
			return "sqlite_autoindex_users_2"
		}
		return index
	})
}

func TestPostgresListUsersPlans(t *testing.T) {
	t.Parallel()
	s := openPostgres(t, pgtest.Database(t))
	checkPlans(t, s.DB(), "EXPLAIN ", func(plan string) string {
		switch {
		case strings.Contains(plan, "Seq Scan"):
			return "a full scan"
		case strings.Contains(plan, "Sort"):
			return "a sort"
		}
		return ""
	}, func(index string) string {
		switch index {
		case "pkey":
			return "users_pkey"
		case "sub":
			return "users_sub_key"
		}
		return index
	})
}

// checkPlans explains every planCase. On PostgreSQL sequential scans are
// switched off, since on an empty table it would rightly prefer one: the
// question is whether an index path that needs no sort exists.
func checkPlans(t *testing.T, db *sql.DB, explain string, bad func(string) string, indexName func(string) string) {
	ctx := t.Context()
	postgres := !strings.Contains(explain, "QUERY")
	// 3,000 users with distributions like a real pool's (unique email,
	// phone and sub, a few hundred names, 10 % unconfirmed, 5 % disabled),
	// and statistics, so that the planner chooses as it would in use.
	gen := "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
	from := " FROM n"
	if postgres {
		gen, from = "", " FROM generate_series(1, 3000) AS n(i)"
	}
	for _, q := range []string{
		"INSERT INTO user_pools (id, name, created_ms, updated_ms, settings) VALUES ('us-east-1_plan', 'plan', 0, 0, '{}')",
		"INSERT INTO users (" + strings.Join(strings.Fields(strings.ReplaceAll(sqlstore.UserColsForTest, ",", " ")), ", ") + ") " + gen +
			"SELECT 'us-east-1_plan', 'user' || i, 'User' || i, 'sub-' || (i * 7919 % 100003), " +
			"CASE WHEN i % 10 = 0 THEN 'UNCONFIRMED' ELSE 'CONFIRMED' END, i % 20 <> 0, i, i, " +
			"'user' || i || '@example.com', '+1555' || (1000000 + i), 'Name ' || (i % 300), 'Given ' || (i % 200), " +
			"'Family ' || (i % 400), CASE WHEN i % 3 = 0 THEN 'pref' || i END, '{}', '{}'" + from,
		"ANALYZE",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if postgres {
		if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
			t.Fatal(err)
		}
		defer conn.ExecContext(context.Background(), "RESET enable_seqscan")
	}
	for _, tc := range planCases() {
		q, args, ok, err := sqlstore.PlanListUsers("us-east-1_plan", tc.q)
		if err != nil || !ok {
			t.Fatalf("%s: PlanListUsers: %v, %v", tc.name, ok, err)
		}
		plan := explainPlan(t, conn, explain+q, args...)
		if why := bad(plan); why != "" {
			t.Errorf("%s: %s\nplan of %s:\n%s", tc.name, why, q, plan)
		}
		// For the enabled flag, walking the primary key in order and
		// filtering is as good a path (PostgreSQL takes it when the flag is
		// not selective, or on an empty table).
		if idx := indexName(tc.index); !strings.Contains(plan, idx) && !(tc.index == "users_enabled" && strings.Contains(plan, indexName("pkey"))) {
			t.Errorf("%s: the plan does not use %s\nplan of %s:\n%s", tc.name, idx, q, plan)
		}
	}
	plan := explainPlan(t, conn, explain+sqlstore.ClaimMessagesSQL, int64(1), int64(2), 10)
	if !strings.Contains(plan, "outbox_due") || strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "SCAN outbox") {
		t.Errorf("ClaimMessages does not find due messages through outbox_due:\n%s", plan)
	}
}

func explainPlan(t *testing.T, conn *sql.Conn, q string, args ...any) string {
	t.Helper()
	rows, err := conn.QueryContext(t.Context(), q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, v := range vals {
			switch v := v.(type) {
			case string:
				parts = append(parts, v)
			case []byte:
				parts = append(parts, string(v))
			}
		}
		lines = append(lines, strings.Join(parts, " "))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
