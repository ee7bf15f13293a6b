// mview_test.go: materialized views through the driver — the creation
// notice (strategy and reason) via the direct API, pg_mv_staleness()
// beside the data, and incremental refresh.

package heliosdb

import (
	"context"
	"strings"
	"testing"
)

func TestMaterializedViews(t *testing.T) {
	db, _ := openDB(t, "")
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := conn.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("CREATE TABLE sales (id INTEGER PRIMARY KEY, region TEXT, amount DECIMAL(10,2))")
	exec("INSERT INTO sales (region, amount) VALUES ('north', 10.50), ('south', 4.25), ('north', 1.25)")

	exec("CREATE MATERIALIZED VIEW by_region AS SELECT region, count(*) AS n, sum(amount) AS total FROM sales GROUP BY region")
	notice, ok, err := NoticeOf(ctx, conn)
	if err != nil || !ok || !strings.Contains(notice, "by_region is maintained incrementally") {
		t.Errorf("incremental view notice = %q, %v, %v", notice, ok, err)
	}
	exec("CREATE MATERIALIZED VIEW ranked AS SELECT id, LAG(amount) OVER (ORDER BY amount DESC) AS r FROM sales")
	notice, ok, _ = NoticeOf(ctx, conn)
	if !ok || !strings.Contains(notice, "refreshed fully") || !strings.Contains(strings.ToLower(notice), "window") {
		t.Errorf("full view notice = %q, %v", notice, ok)
	}

	total := func() string {
		var s string
		if err := conn.QueryRowContext(ctx, "SELECT total FROM by_region WHERE region = 'north'").Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	staleness := func() (pending int64, status, strategy string) {
		err := conn.QueryRowContext(ctx,
			"SELECT pending_changes, status, refresh_strategy FROM pg_mv_staleness() WHERE view_name = ?", "by_region").
			Scan(&pending, &status, &strategy)
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	if got := total(); got != "11.75" {
		t.Errorf("north total %q, want 11.75", got)
	}
	if p, st, strat := staleness(); p != 0 || st != "fresh" || strat != "incremental" {
		t.Errorf("after create: pending=%d status=%s strategy=%s", p, st, strat)
	}

	exec("INSERT INTO sales (region, amount) VALUES (?, ?)", "north", "0.05")
	exec("UPDATE sales SET amount = 2.00 WHERE id = 3")
	if got := total(); got != "11.75" {
		t.Errorf("before refresh the view still says %q, want 11.75", got)
	}
	if p, st, _ := staleness(); p != 2 || st != "stale" {
		t.Errorf("after two changes: pending=%d status=%s, want 2 stale", p, st)
	}
	exec("REFRESH MATERIALIZED VIEW by_region INCREMENTALLY")
	if got := total(); got != "12.55" {
		t.Errorf("after refresh north total %q, want 12.55", got)
	}
	if p, st, _ := staleness(); p != 0 || st != "fresh" {
		t.Errorf("after refresh: pending=%d status=%s", p, st)
	}
	// A full-only view refreshed "incrementally" says it refreshed fully.
	exec("REFRESH MATERIALIZED VIEW ranked INCREMENTALLY")
	if notice, ok, _ := NoticeOf(ctx, conn); !ok || !strings.Contains(notice, "full") {
		t.Errorf("REFRESH INCREMENTALLY of a full view: notice %q, %v", notice, ok)
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO by_region VALUES ('x', 1, 1)"); err == nil {
		t.Error("writing into a materialized view: no error")
	}
}
