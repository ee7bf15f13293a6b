// link_static.go owns the default link mode: libheliosdb.a from the
// repository's target/release, linked into the Go program so that a built
// binary needs no shared library beside it.

//go:build !heliosdb_dynamic

package heliosdb

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: ${SRCDIR}/../../target/release/libheliosdb.a -lpthread -ldl -lm
*/
import "C"
