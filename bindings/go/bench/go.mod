module github.com/heliosdb/heliosdb-lite/bindings/go/bench

go 1.24

require github.com/heliosdb/heliosdb-lite/bindings/go v0.0.0

require github.com/mattn/go-sqlite3 v1.14.28

replace github.com/heliosdb/heliosdb-lite/bindings/go => ../
