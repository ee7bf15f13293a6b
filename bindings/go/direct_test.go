// direct_test.go: the direct API beside database/sql — QueryJSON,
// Autocommit, Version — through sql.Conn.Raw and heliosdb.Open.

package heliosdb

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"testing"
)

func TestDirectAPI(t *testing.T) {
	c, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, err := c.ExecContext(ctx, "CREATE TABLE p (id INTEGER PRIMARY KEY, price DECIMAL(10,2), ok BOOLEAN, b BLOB)", nil); err != nil {
		t.Fatal(err)
	}
	if !c.Autocommit() {
		t.Error("Autocommit false outside a transaction")
	}
	tx, err := c.BeginTx(ctx, driver.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Autocommit() {
		t.Error("Autocommit true inside a transaction")
	}
	if _, err := c.ExecContext(ctx, "INSERT INTO p VALUES (1, 0.10, TRUE, x'0aff')", nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	out, err := c.QueryJSON("SELECT id, price, ok, b FROM p WHERE id = :id", `{"id": 1}`)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Columns []string `json:"columns"`
		Rows    [][]any  `json:"rows"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("QueryJSON output %q: %v", out, err)
	}
	if len(res.Rows) != 1 || res.Rows[0][1] != "0.10" || res.Rows[0][2] != true || res.Rows[0][3] != "0aff" {
		t.Errorf("QueryJSON = %s", out)
	}
	if _, err := c.QueryJSON("SELECT * FROM missing", ""); err == nil {
		t.Error("QueryJSON on a missing table: no error")
	}
	if _, err := c.QueryJSON("SELECT ?", "not json"); err == nil {
		t.Error("QueryJSON with bad parameters: no error")
	}
	if Version() == "" {
		t.Error("empty Version()")
	}
}
