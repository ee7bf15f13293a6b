module github.com/heliosdb/heliosdb-lite/examples/go

go 1.24

require github.com/heliosdb/heliosdb-lite/bindings/go v0.0.0

replace github.com/heliosdb/heliosdb-lite/bindings/go => ../../bindings/go
