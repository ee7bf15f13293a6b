module github.com/heliosdb/heliosdb-lite/bindings/go

go 1.24
