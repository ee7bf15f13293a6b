// link_dynamic.go owns the optional link mode selected with
// `-tags heliosdb_dynamic`: link against libheliosdb.so (found through
// LD_LIBRARY_PATH or the system's library path at run time).

//go:build heliosdb_dynamic

package heliosdb

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: -L${SRCDIR}/../../target/release -lheliosdb
*/
import "C"
