// Command top_products is scenario S4 of SCENARIOS.md: the cache layer of a
// product-catalog service. A materialized view ranks products inside each
// category by sales (RANK() OVER (PARTITION BY category …)); the "top N of
// a category" endpoint answers from the view with its staleness beside the
// data; an admin endpoint forces an incremental refresh, which rewrites
// only the view rows of the products that changed (the view keeps its rows
// in rank order and numbers the ranks when read). A second view, sales per
// category, is maintained incrementally too.
//
// The endpoints are real net/http handlers, driven in-process through
// httptest so the output is deterministic (no ports, clocks or timings).
//
// Run: cd examples/go && go run ./top_products [DIR]   (default: a temporary database)
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"

	heliosdb "github.com/heliosdb/heliosdb-lite/bindings/go"
)

const schema = `
CREATE TABLE IF NOT EXISTS products (
	sku TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT NOT NULL,
	price DECIMAL(10,2) NOT NULL, sales_count INTEGER NOT NULL DEFAULT 0, rating REAL);
CREATE INDEX IF NOT EXISTS products_category_sales ON products (category, sales_count DESC);
DELETE FROM products;`

const views = `
DROP MATERIALIZED VIEW IF EXISTS product_rank;
DROP MATERIALIZED VIEW IF EXISTS category_sales;`

var categories = []string{"audio", "books", "garden"}

// seed inserts 8 products per category with deterministic sales; some have
// none yet (the view ranks only products with sales).
func seed(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ins, err := tx.PrepareContext(ctx, "INSERT INTO products VALUES (?, ?, ?, ?, ?, ?)")
	if err != nil {
		return err
	}
	defer ins.Close()
	for c, cat := range categories {
		for i := range 8 {
			sku := fmt.Sprintf("%c%03d", cat[0]-32, i+1)
			price := fmt.Sprintf("%d.%02d", 5+(i*7+c*3)%40, (i*37+c*11)%100) // DECIMAL as exact text
			sales := (i*13 + c*5) % 17 * 10
			if i == 7 {
				sales = 0
			}
			rating := 3 + float64((i+c)%5)/2
			if _, err := ins.ExecContext(ctx, sku, cat+" item "+strconv.Itoa(i+1), cat, price, sales, rating); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

// service holds the database and the connection the admin path uses (a
// dedicated connection, so the refresh notices it reads are its own).
type service struct {
	db    *sql.DB
	admin *sql.Conn
}

type ranked struct {
	Rank  int64  `json:"rank"`
	SKU   string `json:"sku"`
	Name  string `json:"name"`
	Price string `json:"price"` // DECIMAL, exact
	Sales int64  `json:"sales"`
}

type staleness struct {
	PendingChanges int64  `json:"pending_changes"`
	Status         string `json:"status"`
	Strategy       string `json:"refresh_strategy"`
}

type topResponse struct {
	Category  string    `json:"category"`
	Products  []ranked  `json:"products"`
	Staleness staleness `json:"staleness"`
}

// top serves GET /top?category=…&n=…: the top N of a category from the
// view, with the view's staleness (pending changes, status; not the
// clock-dependent staleness_sec, to keep the output reproducible) beside it.
func (s *service) top(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	cat := r.URL.Query().Get("category")
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n < 1 {
		http.Error(w, "n must be a positive number", http.StatusBadRequest)
		return
	}
	resp := topResponse{Category: cat, Products: []ranked{}}
	rows, err := s.db.QueryContext(ctx, `SELECT sales_rank, sku, name, price, sales_count FROM product_rank
		WHERE category = ? AND sales_rank <= ? ORDER BY sales_rank, sku`, cat, n)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var p ranked
		if err := rows.Scan(&p.Rank, &p.SKU, &p.Name, &p.Price, &p.Sales); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		resp.Products = append(resp.Products, p)
	}
	if err := rows.Err(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	st := &resp.Staleness
	err = s.db.QueryRowContext(ctx, `SELECT pending_changes, status, refresh_strategy
		FROM pg_mv_staleness() WHERE view_name = 'product_rank'`).Scan(&st.PendingChanges, &st.Status, &st.Strategy)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, resp)
}

// refresh serves POST /admin/refresh: an incremental refresh of every view
// (a view that cannot be maintained incrementally is refreshed fully, and
// the engine's notice says so).
func (s *service) refresh(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	ctx := r.Context()
	type refreshed struct {
		View   string `json:"view"`
		Notice string `json:"notice,omitempty"`
	}
	var out []refreshed
	for _, v := range []string{"product_rank", "category_sales"} {
		if _, err := s.admin.ExecContext(ctx, "REFRESH MATERIALIZED VIEW "+v+" INCREMENTALLY"); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		notice, _, err := heliosdb.NoticeOf(ctx, s.admin)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		out = append(out, refreshed{v, notice})
	}
	writeJSON(w, out)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// call drives one request through the handler and prints the exchange.
func call(h http.Handler, method, target string) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	fmt.Printf("%s %s -> %d\n%s\n", method, target, rec.Code, rec.Body.String())
}

func main() {
	dir := ""
	if len(os.Args) > 1 {
		dir = os.Args[1]
	} else {
		tmp, err := os.MkdirTemp("", "top-products-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	if err := run(dir); err != nil {
		log.Fatal(err)
	}
}

func run(dir string) error {
	ctx := context.Background()
	db, err := sql.Open("heliosdb", dir+"?busy_timeout=5000")
	if err != nil {
		return err
	}
	defer db.Close()
	admin, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer admin.Close()

	if _, err := admin.ExecContext(ctx, views+schema); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	if err := seed(ctx, db); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	for _, ddl := range []string{
		`CREATE MATERIALIZED VIEW product_rank AS
		   SELECT sku, name, category, price, sales_count,
		          RANK() OVER (PARTITION BY category ORDER BY sales_count DESC) AS sales_rank
		   FROM products WHERE sales_count > 0`,
		`CREATE MATERIALIZED VIEW category_sales AS
		   SELECT category, count(*) AS products, sum(sales_count) AS units, max(sales_count) AS best
		   FROM products GROUP BY category`,
	} {
		if _, err := admin.ExecContext(ctx, ddl); err != nil {
			return fmt.Errorf("create view: %w", err)
		}
		notice, _, err := heliosdb.NoticeOf(ctx, admin)
		if err != nil {
			return err
		}
		fmt.Println("notice:", notice)
	}
	fmt.Println()

	svc := &service{db: db, admin: admin}
	mux := http.NewServeMux()
	mux.HandleFunc("/top", svc.top)
	mux.HandleFunc("/admin/refresh", svc.refresh)

	call(mux, "GET", "/top?category=audio&n=3")

	// A burst of orders: an unranked garden item becomes a best seller and
	// an audio item overtakes the leader.
	orders := []struct {
		sku   string
		units int
	}{{"G008", 500}, {"A004", 90}, {"A004", 15}, {"B002", 3}}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for _, o := range orders {
		if _, err := tx.ExecContext(ctx, "UPDATE products SET sales_count = sales_count + ? WHERE sku = ?", o.units, o.sku); err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	fmt.Printf("recorded %d orders\n\n", len(orders))

	call(mux, "GET", "/top?category=audio&n=3") // the cached answer, marked stale
	call(mux, "POST", "/admin/refresh")
	call(mux, "GET", "/top?category=audio&n=3")
	call(mux, "GET", "/top?category=garden&n=2")

	rows, err := db.QueryContext(ctx, "SELECT category, products, units, best FROM category_sales ORDER BY units DESC")
	if err != nil {
		return err
	}
	defer rows.Close()
	fmt.Println("category_sales (incremental view):")
	for rows.Next() {
		var cat string
		var products, units, best int64
		if err := rows.Scan(&cat, &products, &units, &best); err != nil {
			return err
		}
		fmt.Printf("  %-7s products=%d units=%d best=%d\n", cat, products, units, best)
	}
	return rows.Err()
}
