/*
 * addon.h — shared declarations of the HeliosDB-Lite N-API addon.
 *
 * Owns: the native structs behind Database and Statement objects, the
 * per-environment state (class constructors, the JS error class) and the
 * prototypes the .c files share. The addon calls only include/heliosdb.h.
 */
#ifndef HELIOSDB_NODE_ADDON_H
#define HELIOSDB_NODE_ADDON_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "heliosdb.h"

/* A connection. `handle` is NULL once closed. Live statements form a
 * doubly-linked list so close() can finalize them (heliosdb_close refuses
 * to close while statements exist) and so neither side dangles whichever
 * the garbage collector frees first. */
typedef struct hn_db {
  heliosdb *handle;
  struct hn_stmt *stmts;
  int pending_async;     /* async queries queued or running */
  /* close() was called while async work was pending; atomic because the
   * workers read it. */
  atomic_bool close_requested;
} hn_db;

/* How a result column maps back to JS beyond its runtime type. */
enum hn_decl { HN_DECL_PLAIN = 0, HN_DECL_BOOLEAN, HN_DECL_DECIMAL };

/* A prepared statement. `handle` is NULL once finalized (explicitly, by
 * db.close(), or by the garbage collector). */
typedef struct hn_stmt {
  heliosdb_stmt *handle;
  hn_db *db; /* NULL once the database is gone */
  struct hn_stmt *prev, *next;
  bool pluck, raw, safe_ints;
  bool iterating; /* an iterate() is walking its rows */
  bool returns_data;
  bool readonly;
  /* Parameter slots and names (NULL for ?/?N), read once at prepare: the
   * names live until finalize, and asking per call costs an ABI round trip
   * (handle check and lock) per parameter. */
  int nparams;
  const char **pnames;
  /* The column-name pointers the JS side last got as `columnNames` (it
   * builds row objects from value arrays; see lib/statement.js). Names are
   * never freed before finalize, so an unchanged pointer is an unchanged name. */
  int name_count;
  const char **name_ptrs;
} hn_stmt;

/* Per-environment state (napi_set_instance_data). */
typedef struct hn_state {
  napi_ref db_ctor;
  napi_ref stmt_ctor;
  napi_ref error_ctor; /* HeliosDBError from lib/errors.js, once registered */
  /* stmt.run() results: written here and read by lib/statement.js through
   * typed-array views of the exported ArrayBuffer `runInfo`, because
   * building a { changes, lastInsertRowid } object with napi_set_named_property
   * cost more than the rest of the binding's work per insert.
   * Layout: double changes, double lastInsertRowid, int64 lastInsertRowid. */
  napi_ref run_info_ref;
  double *run_info;
} hn_state;

/* ---- errors.c ---- */
const char *hn_code_name(int rc);
/* Throws a HeliosDBError (or Error) with `code` = hn_code_name(rc). */
void hn_throw_db(napi_env env, int rc, const char *msg);
/* Builds (does not throw) the same error object. */
napi_value hn_make_db_error(napi_env env, int rc, const char *msg);
void hn_throw_type(napi_env env, const char *msg);
void hn_throw_range(napi_env env, const char *msg);
/* Throws the error heliosdb reported for `rc` on connection `db`. */
void hn_throw_last(napi_env env, heliosdb *db, int rc);
napi_value hn_register_error_class(napi_env env, napi_callback_info info);

/* ---- database.c ---- */
napi_status hn_define_database(napi_env env, napi_value exports, hn_state *st);
/* Unwraps a native Database; throws (returns NULL) when `v` is not one. */
hn_db *hn_db_unwrap(napi_env env, napi_value v);
/* Finalizes statements and closes the handle once no async work needs it. */
void hn_db_close_now(hn_db *db);

/* ---- statement.c ---- */
napi_status hn_define_statement(napi_env env, napi_value exports, hn_state *st);
/* Finalizes the statement's handle and unlinks it from its database. */
void hn_stmt_release(hn_stmt *s);

/* ---- values.c ---- */
/* A parameter value copied out of JS (so a worker thread can bind it). */
typedef struct hn_value {
  int type; /* HELIOSDB_INTEGER/_FLOAT/_TEXT/_BLOB/_NULL */
  int64_t i;
  double d;
  char *p; /* malloc'd text or blob bytes */
  size_t len;
} hn_value;

/* Binds `params` (a JS array of positional values, possibly ending with a
 * plain object of named values) to `st`; throws and returns false on bad
 * input. */
bool hn_bind_js(napi_env env, heliosdb_stmt *st, heliosdb *db, napi_value params, int count,
                const char *const *names);
/* Converts one JS value; throws and returns false on an unbindable type. */
bool hn_value_from_js(napi_env env, napi_value v, hn_value *out);
void hn_value_free(hn_value *v);
/* Binds one copied value; returns the heliosdb status. */
int hn_value_bind(heliosdb_stmt *st, int idx, const hn_value *v);
/* The kind of every result column (from its declared type). */
void hn_column_decls(heliosdb_stmt *st, int ncols, unsigned char *out);
/* Column `i` of the current row as a JS value. */
napi_value hn_column_to_js(napi_env env, heliosdb_stmt *st, int i, unsigned char decl, bool safe_ints);
/* An int64 as a Number, or a BigInt when `safe_ints`. */
napi_value hn_int64_to_js(napi_env env, int64_t v, bool safe_ints);

/* ---- async_query.c ---- */
napi_value hn_db_query_async(napi_env env, napi_callback_info info);
napi_value hn_query_abort(napi_env env, napi_callback_info info);

/* Shorthand: bail out of a napi_callback when a napi call fails (an
 * exception is then usually pending). */
#define HN_CALL(env, call)                                   \
  do {                                                       \
    if ((call) != napi_ok) {                                 \
      bool pending_ = false;                                 \
      napi_is_exception_pending((env), &pending_);           \
      if (!pending_) hn_throw_type((env), "internal N-API call failed: " #call); \
      return NULL;                                           \
    }                                                        \
  } while (0)

#endif
