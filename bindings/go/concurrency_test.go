// concurrency_test.go: 16 goroutines share database/sql's pool, writers
// moving money between accounts in transactions and readers checking the
// total in every snapshot; the invariant is checked again at the end.

package heliosdb

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
)

func TestConcurrentPool(t *testing.T) {
	db, _ := openDB(t, "?busy_timeout=10000")
	db.SetMaxOpenConns(8)
	const accounts, start = 10, 1000
	mustExec(t, db, "CREATE TABLE acct (id INTEGER PRIMARY KEY, bal INTEGER NOT NULL); CREATE TABLE moves (id INTEGER PRIMARY KEY, src INTEGER, dst INTEGER, amount INTEGER)")
	for i := range accounts {
		mustExec(t, db, "INSERT INTO acct VALUES (?, ?)", i, start)
	}

	const writers, readers, perWriter = 8, 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers+readers)
	ctx := context.Background()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				src, dst, amount := (w+i)%accounts, (w*3+i+1)%accounts, 1+(w*7+i)%50
				if src == dst {
					dst = (dst + 1) % accounts
				}
				if err := transfer(ctx, db, src, dst, amount); err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
			}
		}()
	}
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 40 {
				var total int64
				var err error
				if r%2 == 0 {
					err = db.QueryRow("SELECT sum(bal) FROM acct").Scan(&total)
				} else {
					total, err = sumInReadOnlyTx(ctx, db)
				}
				if err != nil {
					errs <- fmt.Errorf("reader %d: %w", r, err)
					return
				}
				if total != accounts*start {
					errs <- fmt.Errorf("reader %d saw total %d, want %d", r, total, accounts*start)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := queryInt(t, db, "SELECT sum(bal) FROM acct"); got != accounts*start {
		t.Errorf("final total %d, want %d", got, accounts*start)
	}
	if got := queryInt(t, db, "SELECT count(*) FROM moves"); got != writers*perWriter {
		t.Errorf("%d moves recorded, want %d", got, writers*perWriter)
	}
	// Replaying the log from the start gives every account's balance.
	rows, err := db.Query(`SELECT a.id, a.bal,
		(SELECT coalesce(sum(amount), 0) FROM moves WHERE dst = a.id) - (SELECT coalesce(sum(amount), 0) FROM moves WHERE src = a.id)
		FROM acct a`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, bal, delta int64
		if err := rows.Scan(&id, &bal, &delta); err != nil {
			t.Fatal(err)
		}
		if bal != start+delta {
			t.Errorf("account %d: balance %d, log says %d", id, bal, start+delta)
		}
	}
}

func transfer(ctx context.Context, db *sql.DB, src, dst, amount int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec("UPDATE acct SET bal = bal - ? WHERE id = ?", amount, src); err != nil {
		return err
	}
	if _, err := tx.Exec("UPDATE acct SET bal = bal + ? WHERE id = ?", amount, dst); err != nil {
		return err
	}
	if _, err := tx.Exec("INSERT INTO moves (src, dst, amount) VALUES (?, ?, ?)", src, dst, amount); err != nil {
		return err
	}
	return tx.Commit()
}

// sumInReadOnlyTx reads the total twice in one read-only transaction: both
// reads see the same snapshot.
func sumInReadOnlyTx(ctx context.Context, db *sql.DB) (int64, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	var a, b int64
	if err := tx.QueryRow("SELECT sum(bal) FROM acct").Scan(&a); err != nil {
		return 0, err
	}
	if err := tx.QueryRow("SELECT sum(bal) FROM acct WHERE id >= 0").Scan(&b); err != nil {
		return 0, err
	}
	if a != b {
		return 0, fmt.Errorf("one read-only transaction saw totals %d and %d", a, b)
	}
	return a, tx.Commit()
}
