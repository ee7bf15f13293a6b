/*
 * statement.c — the native Statement class (one prepared heliosdb_stmt).
 *
 * Owns: run/get/all (bind, step, convert, reset — one native call each so
 * the hot path crosses into C once), the step-by-step iteration behind
 * stmt.iterate(), columns(), and release of the handle on finalize, on
 * db.close() and when the garbage collector frees the object.
 */
#include <stdlib.h>
#include <string.h>

#include "addon.h"

void hn_stmt_release(hn_stmt *s) {
  if (s->handle) {
    heliosdb_finalize(s->handle);
    s->handle = NULL;
  }
  if (s->db) {
    if (s->prev)
      s->prev->next = s->next;
    else
      s->db->stmts = s->next;
    if (s->next) s->next->prev = s->prev;
    s->db = NULL;
  }
  s->prev = s->next = NULL;
  s->iterating = false;
  free(s->pnames); /* the strings were the statement's */
  s->pnames = NULL;
  s->nparams = 0;
  free(s->name_ptrs);
  s->name_ptrs = NULL;
  s->name_count = 0;
}

static void stmt_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  hn_stmt *s = data;
  hn_stmt_release(s);
  free(s);
}

/* Gets `this` as a live statement, throwing otherwise. `allow_busy` lets the
 * iteration calls through while an iterate() is in progress. */
static hn_stmt *this_live_self(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv,
                               bool allow_busy, napi_value *self_out) {
  napi_value self;
  size_t zero = 0;
  hn_stmt *s = NULL;
  if (napi_get_cb_info(env, info, argc ? argc : &zero, argv, &self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, self, (void **)&s) != napi_ok || !s) {
    hn_throw_type(env, "not a HeliosDB Statement object");
    return NULL;
  }
  if (!s->handle || !s->db) {
    hn_throw_type(env, "The statement is finalized (or its database connection is closed)");
    return NULL;
  }
  if (s->db->close_requested) {
    hn_throw_type(env, "The database connection is not open");
    return NULL;
  }
  if (s->iterating && !allow_busy) {
    hn_throw_type(env,
                  "This statement is busy iterating: finish the iterator or call its return() first");
    return NULL;
  }
  if (self_out) *self_out = self;
  return s;
}

static hn_stmt *this_live(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv, bool allow_busy) {
  return this_live_self(env, info, argc, argv, allow_busy, NULL);
}

/* new NativeStatement(nativeDatabase, sql) — prepares `sql`. */
static napi_value stmt_new(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self;
  HN_CALL(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  if (argc < 2) {
    hn_throw_type(env, "expected (database, sql)");
    return NULL;
  }
  hn_db *db = hn_db_unwrap(env, argv[0]);
  if (!db) return NULL;
  if (!db->handle || db->close_requested) {
    hn_throw_type(env, "The database connection is not open");
    return NULL;
  }
  napi_valuetype t;
  napi_typeof(env, argv[1], &t);
  if (t != napi_string) {
    hn_throw_type(env, "SQL must be a string");
    return NULL;
  }
  size_t n = 0;
  napi_get_value_string_utf8(env, argv[1], NULL, 0, &n);
  char *sql = malloc(n + 1);
  if (!sql) {
    hn_throw_db(env, HELIOSDB_NOMEM, "out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, argv[1], sql, n + 1, &n);
  if (strlen(sql) != n) {
    free(sql);
    hn_throw_type(env, "SQL must not contain NUL characters");
    return NULL;
  }
  heliosdb_stmt *h = NULL;
  int rc = heliosdb_prepare(db->handle, sql, &h);
  free(sql);
  if (rc != HELIOSDB_OK) {
    hn_throw_last(env, db->handle, rc);
    return NULL;
  }
  hn_stmt *s = calloc(1, sizeof *s);
  if (!s) {
    heliosdb_finalize(h);
    hn_throw_db(env, HELIOSDB_NOMEM, "out of memory");
    return NULL;
  }
  s->handle = h;
  s->returns_data = heliosdb_column_count(h) > 0;
  s->readonly = heliosdb_stmt_readonly(h) != 0;
  s->nparams = heliosdb_bind_parameter_count(h);
  if (s->nparams > 0) {
    s->pnames = calloc((size_t)s->nparams, sizeof(char *));
    if (!s->pnames) {
      heliosdb_finalize(h);
      free(s);
      hn_throw_db(env, HELIOSDB_NOMEM, "out of memory");
      return NULL;
    }
    for (int i = 0; i < s->nparams; i++) s->pnames[i] = heliosdb_bind_parameter_name(h, i + 1);
  }
  if (napi_wrap(env, self, s, stmt_finalize, NULL, NULL) != napi_ok) {
    heliosdb_finalize(h);
    free(s);
    hn_throw_type(env, "cannot wrap the statement object");
    return NULL;
  }
  s->db = db;
  s->next = db->stmts;
  if (db->stmts) db->stmts->prev = s;
  db->stmts = s;
  return self;
}

/* The current row: one value (pluck) or an array of values. In object mode
 * lib/statement.js turns the array into an object with a factory compiled
 * for the column names: a literal with constant keys is far cheaper than
 * napi_set_property per column, which takes V8's slow generic path. */
static napi_value make_row(napi_env env, hn_stmt *s, int ncols, const unsigned char *decls) {
  napi_value row;
  if (s->pluck) return hn_column_to_js(env, s->handle, 0, decls[0], s->safe_ints);
  napi_create_array_with_length(env, (size_t)ncols, &row);
  for (int i = 0; i < ncols; i++)
    napi_set_element(env, row, (uint32_t)i, hn_column_to_js(env, s->handle, i, decls[i], s->safe_ints));
  return row;
}

/* Publishes the column names as `this.columnNames` (a new array) when they
 * differ from what was published last: the JS side rebuilds its row
 * factory when that array changes. */
static bool sync_names(napi_env env, napi_value self, hn_stmt *s, int ncols) {
  bool same = s->name_ptrs != NULL && s->name_count == ncols;
  for (int i = 0; same && i < ncols; i++) same = heliosdb_column_name(s->handle, i) == s->name_ptrs[i];
  if (same) return true;
  const char **ptrs = realloc(s->name_ptrs, sizeof(char *) * (size_t)(ncols ? ncols : 1));
  if (!ptrs) {
    hn_throw_db(env, HELIOSDB_NOMEM, "out of memory");
    return false;
  }
  s->name_ptrs = ptrs;
  s->name_count = ncols;
  napi_value arr, name;
  if (napi_create_array_with_length(env, (size_t)ncols, &arr) != napi_ok) return false;
  for (int i = 0; i < ncols; i++) {
    ptrs[i] = heliosdb_column_name(s->handle, i);
    napi_create_string_utf8(env, ptrs[i] ? ptrs[i] : "", NAPI_AUTO_LENGTH, &name);
    napi_set_element(env, arr, (uint32_t)i, name);
  }
  return napi_set_named_property(env, self, "columnNames", arr) == napi_ok;
}

/* Throws the step error and leaves the statement ready to run again. */
static napi_value fail_step(napi_env env, hn_stmt *s, int rc) {
  hn_throw_last(env, s->db->handle, rc);
  heliosdb_reset(s->handle);
  return NULL;
}

/* The engine resolves tables when a statement first runs, so a query on a
 * table that does not exist (yet) prepares with no columns: let a read-only
 * statement run (its error, or its columns, decide); refuse a write before
 * it changes anything. */
static bool require_data(napi_env env, hn_stmt *s) {
  if (!s->returns_data) s->returns_data = heliosdb_column_count(s->handle) > 0;
  if (!s->returns_data && !s->readonly) {
    hn_throw_type(env, "This statement does not return data. Use run() instead");
    return false;
  }
  return true;
}

/* Scratch array for the column kinds: on the stack for usual widths. */
#define SMALL_COLS 32
typedef struct {
  unsigned char decls_small[SMALL_COLS];
  unsigned char *decls;
} cols_scratch;

static bool cols_prepare(napi_env env, napi_value self, hn_stmt *s, int ncols, cols_scratch *c) {
  c->decls = c->decls_small;
  if (ncols > SMALL_COLS) {
    c->decls = malloc((size_t)ncols);
    if (!c->decls) {
      c->decls = c->decls_small;
      hn_throw_db(env, HELIOSDB_NOMEM, "out of memory");
      return false;
    }
  }
  hn_column_decls(s->handle, ncols, c->decls);
  if (!s->pluck && !s->raw && !sync_names(env, self, s, ncols)) return false;
  return true;
}

static void cols_free(cols_scratch *c) {
  if (c->decls != c->decls_small) free(c->decls);
}

/* run(params): the counters go to the shared runInfo buffer (see addon.h);
 * lib/statement.js makes { changes, lastInsertRowid } from it. */
static napi_value stmt_run(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  hn_state *st = NULL;
  hn_stmt *s = this_live(env, info, &argc, argv, false);
  if (!s || !hn_bind_js(env, s->handle, s->db->handle, argv[0], s->nparams, s->pnames)) return NULL;
  int rc;
  while ((rc = heliosdb_step(s->handle)) == HELIOSDB_ROW) {
  }
  if (rc != HELIOSDB_DONE) return fail_step(env, s, rc);
  heliosdb *db = s->db->handle;
  /* heliosdb_changes is the connection's latest write: a query changed nothing. */
  int64_t changes = s->readonly ? 0 : heliosdb_changes(db);
  int64_t rowid = heliosdb_last_insert_rowid(db);
  heliosdb_reset(s->handle);
  napi_get_instance_data(env, (void **)&st);
  st->run_info[0] = (double)changes;
  st->run_info[1] = (double)rowid;
  memcpy(&st->run_info[2], &rowid, sizeof rowid);
  return NULL;
}

/* get(params) → first row or undefined */
static napi_value stmt_get(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], self;
  hn_stmt *s = this_live_self(env, info, &argc, argv, false, &self);
  if (!s || !require_data(env, s) || !hn_bind_js(env, s->handle, s->db->handle, argv[0], s->nparams, s->pnames)) return NULL;
  int rc = heliosdb_step(s->handle);
  napi_value row = NULL;
  if (rc == HELIOSDB_ROW) {
    int ncols = heliosdb_column_count(s->handle);
    cols_scratch c;
    if (!cols_prepare(env, self, s, ncols, &c)) {
      heliosdb_reset(s->handle);
      return NULL;
    }
    row = make_row(env, s, ncols, c.decls);
    cols_free(&c);
  } else if (rc == HELIOSDB_DONE) {
    napi_get_undefined(env, &row);
  } else {
    return fail_step(env, s, rc);
  }
  /* Reset now so the materialized rows are freed rather than kept until the
   * next call. */
  heliosdb_reset(s->handle);
  return row;
}

/* all(params) → array of rows */
static napi_value stmt_all(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], rows, self;
  hn_stmt *s = this_live_self(env, info, &argc, argv, false, &self);
  if (!s || !require_data(env, s) || !hn_bind_js(env, s->handle, s->db->handle, argv[0], s->nparams, s->pnames)) return NULL;
  int rc = heliosdb_step(s->handle);
  HN_CALL(env, napi_create_array(env, &rows));
  if (rc == HELIOSDB_ROW) {
    int ncols = heliosdb_column_count(s->handle);
    cols_scratch c;
    if (!cols_prepare(env, self, s, ncols, &c)) {
      heliosdb_reset(s->handle);
      return NULL;
    }
    uint32_t n = 0;
    do {
      napi_set_element(env, rows, n++, make_row(env, s, ncols, c.decls));
    } while ((rc = heliosdb_step(s->handle)) == HELIOSDB_ROW);
    cols_free(&c);
  }
  if (rc != HELIOSDB_DONE) return fail_step(env, s, rc);
  heliosdb_reset(s->handle);
  return rows;
}

/* iterStart(params): binds and runs; rows are then fetched with iterNext().
 * The statement stays busy until the rows run out or iterStop(). */
static napi_value stmt_iter_start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  hn_stmt *s = this_live(env, info, &argc, argv, false);
  if (!s || !require_data(env, s) || !hn_bind_js(env, s->handle, s->db->handle, argv[0], s->nparams, s->pnames)) return NULL;
  s->iterating = true;
  return NULL;
}

/* iterNext() → the next row, or undefined when there are no more. */
static napi_value stmt_iter_next(napi_env env, napi_callback_info info) {
  napi_value r, self;
  hn_stmt *s = this_live_self(env, info, NULL, NULL, true, &self);
  if (!s) return NULL;
  if (!s->iterating) {
    napi_get_undefined(env, &r);
    return r;
  }
  int rc = heliosdb_step(s->handle);
  if (rc == HELIOSDB_ROW) {
    int ncols = heliosdb_column_count(s->handle);
    cols_scratch c;
    if (!cols_prepare(env, self, s, ncols, &c)) return NULL;
    r = make_row(env, s, ncols, c.decls);
    cols_free(&c);
    return r;
  }
  s->iterating = false;
  if (rc != HELIOSDB_DONE) return fail_step(env, s, rc);
  heliosdb_reset(s->handle);
  napi_get_undefined(env, &r);
  return r;
}

static napi_value stmt_iter_stop(napi_env env, napi_callback_info info) {
  napi_value self;
  size_t argc = 0;
  hn_stmt *s = NULL;
  HN_CALL(env, napi_get_cb_info(env, info, &argc, NULL, &self, NULL));
  if (napi_unwrap(env, self, (void **)&s) != napi_ok || !s) return NULL;
  if (s->iterating && s->handle) heliosdb_reset(s->handle);
  s->iterating = false;
  return NULL;
}

/* columns() → [{ name, type }] with type the declared type or null. */
static napi_value stmt_columns(napi_env env, napi_callback_info info) {
  napi_value arr;
  hn_stmt *s = this_live(env, info, NULL, NULL, true);
  if (!s) return NULL;
  int n = heliosdb_column_count(s->handle);
  HN_CALL(env, napi_create_array_with_length(env, (size_t)n, &arr));
  for (int i = 0; i < n; i++) {
    napi_value col, name, type;
    const char *nm = heliosdb_column_name(s->handle, i);
    const char *dt = heliosdb_column_decltype(s->handle, i);
    napi_create_object(env, &col);
    napi_create_string_utf8(env, nm ? nm : "", NAPI_AUTO_LENGTH, &name);
    if (dt)
      napi_create_string_utf8(env, dt, NAPI_AUTO_LENGTH, &type);
    else
      napi_get_null(env, &type);
    napi_set_named_property(env, col, "name", name);
    napi_set_named_property(env, col, "type", type);
    napi_set_element(env, arr, (uint32_t)i, col);
  }
  return arr;
}

/* setMode(pluck, raw, safeIntegers) */
static napi_value stmt_set_mode(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  hn_stmt *s = this_live(env, info, &argc, argv, false);
  if (!s) return NULL;
  if (argc < 3) {
    hn_throw_type(env, "setMode expects three booleans");
    return NULL;
  }
  bool p = false, r = false, si = false;
  napi_get_value_bool(env, argv[0], &p);
  napi_get_value_bool(env, argv[1], &r);
  napi_get_value_bool(env, argv[2], &si);
  s->pluck = p;
  s->raw = r;
  s->safe_ints = si;
  return NULL;
}

static napi_value stmt_finalize_js(napi_env env, napi_callback_info info) {
  napi_value self;
  size_t argc = 0;
  hn_stmt *s = NULL;
  HN_CALL(env, napi_get_cb_info(env, info, &argc, NULL, &self, NULL));
  if (napi_unwrap(env, self, (void **)&s) == napi_ok && s) hn_stmt_release(s);
  return NULL;
}

/* info() → { readonly, returnsData, paramCount } for the JS wrapper. */
static napi_value stmt_info(napi_env env, napi_callback_info info) {
  napi_value o, v;
  hn_stmt *s = this_live(env, info, NULL, NULL, true);
  if (!s) return NULL;
  napi_create_object(env, &o);
  napi_get_boolean(env, s->readonly, &v);
  napi_set_named_property(env, o, "readonly", v);
  napi_get_boolean(env, s->returns_data, &v);
  napi_set_named_property(env, o, "returnsData", v);
  napi_create_int32(env, s->nparams, &v);
  napi_set_named_property(env, o, "paramCount", v);
  return o;
}

static napi_value stmt_is_live(napi_env env, napi_callback_info info) {
  napi_value self, r;
  size_t argc = 0;
  hn_stmt *s = NULL;
  HN_CALL(env, napi_get_cb_info(env, info, &argc, NULL, &self, NULL));
  napi_unwrap(env, self, (void **)&s);
  napi_get_boolean(env, s && s->handle && s->db && !s->db->close_requested, &r);
  return r;
}

static napi_value stmt_is_busy(napi_env env, napi_callback_info info) {
  napi_value self, r;
  size_t argc = 0;
  hn_stmt *s = NULL;
  HN_CALL(env, napi_get_cb_info(env, info, &argc, NULL, &self, NULL));
  napi_unwrap(env, self, (void **)&s);
  napi_get_boolean(env, s && s->iterating, &r);
  return r;
}

napi_status hn_define_statement(napi_env env, napi_value exports, hn_state *st) {
  napi_property_descriptor props[] = {
      {"run", NULL, stmt_run, NULL, NULL, NULL, napi_default, NULL},
      {"get", NULL, stmt_get, NULL, NULL, NULL, napi_default, NULL},
      {"all", NULL, stmt_all, NULL, NULL, NULL, napi_default, NULL},
      {"iterStart", NULL, stmt_iter_start, NULL, NULL, NULL, napi_default, NULL},
      {"iterNext", NULL, stmt_iter_next, NULL, NULL, NULL, napi_default, NULL},
      {"iterStop", NULL, stmt_iter_stop, NULL, NULL, NULL, napi_default, NULL},
      {"columns", NULL, stmt_columns, NULL, NULL, NULL, napi_default, NULL},
      {"setMode", NULL, stmt_set_mode, NULL, NULL, NULL, napi_default, NULL},
      {"finalize", NULL, stmt_finalize_js, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, stmt_info, NULL, NULL, NULL, napi_default, NULL},
      {"isLive", NULL, stmt_is_live, NULL, NULL, NULL, napi_default, NULL},
      {"isBusy", NULL, stmt_is_busy, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value cls;
  napi_status s = napi_define_class(env, "NativeStatement", NAPI_AUTO_LENGTH, stmt_new, NULL,
                                    sizeof props / sizeof props[0], props, &cls);
  if (s != napi_ok) return s;
  if ((s = napi_create_reference(env, cls, 1, &st->stmt_ctor)) != napi_ok) return s;
  return napi_set_named_property(env, exports, "NativeStatement", cls);
}
