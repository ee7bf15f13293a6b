/*
 * async_query.c — db.query(): one statement run on the libuv thread pool.
 *
 * Owns: copying parameters out of JS on the main thread, the worker's
 * prepare/bind/step loop (rows copied into C memory there, because
 * column pointers die at the next step and errmsg is per thread), turning
 * the rows into JS objects on completion, and cancellation: a query not yet
 * started is cancelled outright, a prepared or running one is stopped with
 * heliosdb_stmt_interrupt (its step returns HELIOSDB_INTERRUPT and a write
 * changes nothing; the interrupt is sticky, so one that lands just before
 * the step starts is not lost, and other statements are left alone).
 *
 * The heliosdb handle serializes calls: while a query runs on the pool, a
 * synchronous call on the same Database waits for it (blocking the event
 * loop). Use a second Database on the same path for concurrent sync work.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "addon.h"

typedef struct {
  unsigned char type;
  int64_t i;
  double d;
  char *p; /* text (also DECIMAL digits) or blob bytes, malloc'd */
  size_t len;
} cell;

typedef struct named_param {
  char *name; /* without prefix */
  hn_value v;
} named_param;

typedef struct query_work {
  napi_async_work work;
  napi_ref db_ref, cb_ref, token_ref;
  hn_db *db;
  char *sql;
  hn_value *pos;
  size_t npos;
  named_param *named;
  size_t nnamed;
  bool has_named;
  bool safe_ints;
  atomic_int aborted;
  /* The worker's statement once prepared (a token: stale after finalize,
   * which heliosdb_stmt_interrupt reports as MISUSE, never a crash). */
  _Atomic(uintptr_t) stmt_token;
  /* results, filled on the worker */
  int rc;
  char *errmsg;
  int ncols;
  char **names;
  unsigned char *decls;
  cell *cells;
  size_t nrows, cap_rows;
  int64_t changes, last_rowid;
  bool readonly;
} query_work;

static char *dup_str(const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s);
  char *r = malloc(n + 1);
  if (r) memcpy(r, s, n + 1);
  return r;
}

static void work_free(napi_env env, query_work *w) {
  free(w->sql);
  for (size_t i = 0; i < w->npos; i++) hn_value_free(&w->pos[i]);
  free(w->pos);
  for (size_t i = 0; i < w->nnamed; i++) {
    free(w->named[i].name);
    hn_value_free(&w->named[i].v);
  }
  free(w->named);
  free(w->errmsg);
  for (int i = 0; i < w->ncols; i++) free(w->names ? w->names[i] : NULL);
  free(w->names);
  free(w->decls);
  for (size_t i = 0; i < w->nrows * (size_t)w->ncols; i++) free(w->cells[i].p);
  free(w->cells);
  if (w->db_ref) napi_delete_reference(env, w->db_ref);
  if (w->cb_ref) napi_delete_reference(env, w->cb_ref);
  if (w->token_ref) napi_delete_reference(env, w->token_ref);
  if (w->work) napi_delete_async_work(env, w->work);
  free(w);
}

/* Worker: records the failure and its message (errmsg is per thread). */
static void fail(query_work *w, int rc, const char *msg) {
  w->rc = rc;
  free(w->errmsg);
  w->errmsg = dup_str(msg ? msg : heliosdb_errmsg(w->db->handle));
}

static bool bind_all(query_work *w, heliosdb_stmt *st) {
  int count = heliosdb_bind_parameter_count(st);
  size_t next = 0;
  for (int idx = 1; idx <= count; idx++) {
    const char *name = heliosdb_bind_parameter_name(st, idx);
    const hn_value *v = NULL;
    if (name) {
      for (size_t k = 0; k < w->nnamed; k++)
        if (strcmp(w->named[k].name, name + 1) == 0) v = &w->named[k].v;
      if (!v) {
        fail(w, HELIOSDB_RANGE, "Missing named parameter");
        return false;
      }
    } else {
      if (next >= w->npos) {
        fail(w, HELIOSDB_RANGE, "Too few parameter values were provided");
        return false;
      }
      v = &w->pos[next++];
    }
    int rc = hn_value_bind(st, idx, v);
    if (rc != HELIOSDB_OK) {
      fail(w, rc, NULL);
      return false;
    }
  }
  if (next < w->npos) {
    fail(w, HELIOSDB_RANGE, "Too many parameter values were provided");
    return false;
  }
  return true;
}

/* Copies the current row's cells. */
static bool copy_row(query_work *w, heliosdb_stmt *st) {
  if (w->nrows == w->cap_rows) {
    size_t cap = w->cap_rows ? w->cap_rows * 2 : 64;
    cell *c = realloc(w->cells, cap * (size_t)w->ncols * sizeof(cell));
    if (!c) return false;
    w->cells = c;
    w->cap_rows = cap;
  }
  cell *row = &w->cells[w->nrows * (size_t)w->ncols];
  memset(row, 0, sizeof(cell) * (size_t)w->ncols);
  w->nrows++;
  for (int i = 0; i < w->ncols; i++) {
    cell *c = &row[i];
    c->type = (unsigned char)heliosdb_column_type(st, i);
    switch (c->type) {
      case HELIOSDB_INTEGER: c->i = heliosdb_column_int64(st, i); break;
      case HELIOSDB_FLOAT:
        if (w->decls[i] == HN_DECL_DECIMAL) goto bytes;
        c->d = heliosdb_column_double(st, i);
        break;
      case HELIOSDB_TEXT:
      case HELIOSDB_BLOB:
      bytes: {
        const void *p = heliosdb_column_blob(st, i);
        c->len = (size_t)heliosdb_column_bytes(st, i);
        c->p = malloc(c->len ? c->len : 1);
        if (!c->p) return false;
        if (c->len) memcpy(c->p, p, c->len);
        break;
      }
      default: break;
    }
  }
  return true;
}

static void execute(napi_env env, void *data) {
  (void)env;
  query_work *w = data;
  heliosdb_stmt *st = NULL;
  w->rc = HELIOSDB_OK;
  if (atomic_load(&w->aborted) || atomic_load(&w->db->close_requested)) {
    fail(w, HELIOSDB_INTERRUPT, "query aborted");
    return;
  }
  int rc = heliosdb_prepare(w->db->handle, w->sql, &st);
  if (rc != HELIOSDB_OK) {
    fail(w, rc, NULL);
    return;
  }
  /* Published before the abort flag is read below: an abort either sees
   * the statement (and interrupts it, stickily) or is seen here. */
  atomic_store(&w->stmt_token, (uintptr_t)st);
  if (!bind_all(w, st)) goto done;
  w->readonly = heliosdb_stmt_readonly(st) != 0;
  w->ncols = heliosdb_column_count(st);
  if (w->ncols > 0) {
    w->names = calloc((size_t)w->ncols, sizeof(char *));
    w->decls = calloc((size_t)w->ncols, 1);
    if (!w->names || !w->decls) {
      fail(w, HELIOSDB_NOMEM, "out of memory");
      goto done;
    }
    for (int i = 0; i < w->ncols; i++) w->names[i] = dup_str(heliosdb_column_name(st, i));
    hn_column_decls(st, w->ncols, w->decls);
  }
  /* An abort before this point is seen here; one after it reaches the
   * statement through heliosdb_stmt_interrupt, whose step then returns
   * HELIOSDB_INTERRUPT even if it had not started yet. */
  if (atomic_load(&w->aborted) || atomic_load(&w->db->close_requested)) {
    fail(w, HELIOSDB_INTERRUPT, "query aborted");
    goto done;
  }
  /* The first step runs the whole statement: this is where an interrupt
   * from another thread lands. */
  while ((rc = heliosdb_step(st)) == HELIOSDB_ROW) {
    /* An abort that arrived after the step finished: a read changed
     * nothing, so drop its rows and report the abort. */
    if (atomic_load(&w->aborted)) {
      fail(w, HELIOSDB_INTERRUPT, "query aborted");
      goto done;
    }
    if (!copy_row(w, st)) {
      fail(w, HELIOSDB_NOMEM, "out of memory copying rows");
      goto done;
    }
  }
  if (rc != HELIOSDB_DONE) {
    fail(w, rc, NULL);
    goto done;
  }
  w->changes = w->readonly ? 0 : heliosdb_changes(w->db->handle);
  w->last_rowid = heliosdb_last_insert_rowid(w->db->handle);
done:
  heliosdb_finalize(st);
}

static napi_value cell_to_js(napi_env env, const cell *c, unsigned char decl, bool safe_ints) {
  napi_value r;
  switch (c->type) {
    case HELIOSDB_INTEGER:
      if (decl == HN_DECL_BOOLEAN) {
        napi_get_boolean(env, c->i != 0, &r);
        return r;
      }
      return hn_int64_to_js(env, c->i, safe_ints);
    case HELIOSDB_FLOAT:
      if (decl == HN_DECL_DECIMAL) {
        napi_create_string_utf8(env, c->p, c->len, &r);
        return r;
      }
      napi_create_double(env, c->d, &r);
      return r;
    case HELIOSDB_TEXT: napi_create_string_utf8(env, c->p, c->len, &r); return r;
    case HELIOSDB_BLOB: {
      void *dst;
      napi_create_buffer_copy(env, c->len, c->p, &dst, &r);
      return r;
    }
    default: napi_get_null(env, &r); return r;
  }
}

static void complete(napi_env env, napi_status status, void *data) {
  query_work *w = data;
  napi_value cb, argv[2], global, token;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);

  /* The token can no longer abort anything. */
  if (napi_get_reference_value(env, w->token_ref, &token) == napi_ok && token) {
    void *unused;
    napi_remove_wrap(env, token, &unused);
  }
  hn_db *db = w->db;
  db->pending_async--;
  if (db->close_requested) hn_db_close_now(db); /* the deferred close(), once the last query is back */

  napi_get_undefined(env, &argv[0]);
  napi_get_undefined(env, &argv[1]);
  if (status == napi_cancelled) {
    argv[0] = hn_make_db_error(env, HELIOSDB_INTERRUPT, "query aborted");
  } else if (w->rc != HELIOSDB_OK) {
    argv[0] = hn_make_db_error(env, w->rc, w->errmsg);
  } else {
    napi_value rows, keys_small[32], *keys = keys_small;
    if (w->ncols > 32) keys = malloc(sizeof(napi_value) * (size_t)w->ncols);
    napi_create_array_with_length(env, w->nrows, &rows);
    for (int i = 0; keys && i < w->ncols; i++)
      napi_create_string_utf8(env, w->names[i] ? w->names[i] : "", NAPI_AUTO_LENGTH, &keys[i]);
    for (size_t r = 0; keys && r < w->nrows; r++) {
      napi_value row;
      napi_create_object(env, &row);
      for (int i = 0; i < w->ncols; i++)
        napi_set_property(env, row, keys[i],
                          cell_to_js(env, &w->cells[r * (size_t)w->ncols + (size_t)i], w->decls[i], w->safe_ints));
      napi_set_element(env, rows, (uint32_t)r, row);
    }
    if (keys != keys_small) free(keys);
    napi_value info, v;
    napi_create_object(env, &info);
    napi_create_double(env, (double)w->changes, &v);
    napi_set_named_property(env, info, "changes", v);
    napi_set_named_property(env, info, "lastInsertRowid", hn_int64_to_js(env, w->last_rowid, w->safe_ints));
    argv[1] = rows;
    /* rows.info: the counters of a write. */
    napi_property_descriptor d = {"info", NULL, NULL, NULL, NULL, info, napi_configurable, NULL};
    napi_define_properties(env, rows, 1, &d); /* non-enumerable: rows compare as plain arrays */
  }
  napi_get_global(env, &global);
  if (napi_get_reference_value(env, w->cb_ref, &cb) == napi_ok && cb) {
    napi_value ignored;
    napi_call_function(env, global, cb, 2, argv, &ignored);
  }
  work_free(env, w);
  napi_close_handle_scope(env, scope);
}

static void token_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)data;
  (void)hint; /* the work owns itself; nothing to free */
}

/* Copies the parameters (array, possibly ending with a named object). */
static bool copy_params(napi_env env, query_work *w, napi_value params) {
  uint32_t n = 0;
  if (napi_get_array_length(env, params, &n) != napi_ok) {
    hn_throw_type(env, "parameters must be an array");
    return false;
  }
  if (n > 0) {
    napi_value last;
    napi_valuetype t;
    bool is_arr = false, is_buf = false, is_ta = false;
    napi_get_element(env, params, n - 1, &last);
    napi_typeof(env, last, &t);
    napi_is_array(env, last, &is_arr);
    napi_is_buffer(env, last, &is_buf);
    napi_is_typedarray(env, last, &is_ta);
    if (t == napi_object && !is_arr && !is_buf && !is_ta) {
      napi_value keys;
      uint32_t nk = 0;
      if (napi_get_property_names(env, last, &keys) != napi_ok) return false;
      napi_get_array_length(env, keys, &nk);
      w->named = calloc(nk ? nk : 1, sizeof(named_param));
      if (!w->named) return false;
      for (uint32_t k = 0; k < nk; k++) {
        napi_value key, val;
        size_t len = 0;
        napi_get_element(env, keys, k, &key);
        if (napi_get_value_string_utf8(env, key, NULL, 0, &len) != napi_ok) continue;
        char *name = malloc(len + 1);
        if (!name) return false;
        napi_get_value_string_utf8(env, key, name, len + 1, &len);
        w->named[w->nnamed].name = name;
        w->nnamed++;
        napi_get_property(env, last, key, &val);
        if (!hn_value_from_js(env, val, &w->named[w->nnamed - 1].v)) return false;
      }
      w->has_named = true;
      n--;
    }
  }
  w->pos = calloc(n ? n : 1, sizeof(hn_value));
  if (!w->pos) return false;
  for (uint32_t i = 0; i < n; i++) {
    napi_value v;
    napi_get_element(env, params, i, &v);
    w->npos++;
    if (!hn_value_from_js(env, v, &w->pos[i])) return false;
  }
  return true;
}

/* query(sql, params, safeIntegers, callback(err, rows)) → abort token */
napi_value hn_db_query_async(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], self, token, name;
  HN_CALL(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  hn_db *db = hn_db_unwrap(env, self);
  if (!db) return NULL;
  if (!db->handle || db->close_requested) {
    hn_throw_type(env, "The database connection is not open");
    return NULL;
  }
  napi_valuetype t;
  napi_typeof(env, argv[0], &t);
  if (t != napi_string) {
    hn_throw_type(env, "SQL must be a string");
    return NULL;
  }
  napi_typeof(env, argv[3], &t);
  if (t != napi_function) {
    hn_throw_type(env, "callback must be a function");
    return NULL;
  }
  query_work *w = calloc(1, sizeof *w);
  if (!w) {
    hn_throw_db(env, HELIOSDB_NOMEM, "out of memory");
    return NULL;
  }
  w->db = db;
  size_t n = 0;
  napi_get_value_string_utf8(env, argv[0], NULL, 0, &n);
  w->sql = malloc(n + 1);
  if (!w->sql) {
    work_free(env, w);
    hn_throw_db(env, HELIOSDB_NOMEM, "out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, argv[0], w->sql, n + 1, &n);
  if (!copy_params(env, w, argv[1])) {
    work_free(env, w);
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) hn_throw_db(env, HELIOSDB_NOMEM, "out of memory copying parameters");
    return NULL;
  }
  bool si = false;
  napi_get_value_bool(env, argv[2], &si);
  w->safe_ints = si;
  napi_create_object(env, &token);
  napi_create_string_utf8(env, "heliosdb.query", NAPI_AUTO_LENGTH, &name);
  if (napi_create_reference(env, self, 1, &w->db_ref) != napi_ok ||
      napi_create_reference(env, argv[3], 1, &w->cb_ref) != napi_ok ||
      napi_create_reference(env, token, 1, &w->token_ref) != napi_ok ||
      napi_wrap(env, token, w, token_finalize, NULL, NULL) != napi_ok ||
      napi_create_async_work(env, NULL, name, execute, complete, w, &w->work) != napi_ok ||
      napi_queue_async_work(env, w->work) != napi_ok) {
    work_free(env, w);
    hn_throw_type(env, "cannot queue the query");
    return NULL;
  }
  db->pending_async++;
  return token;
}

/* abortQuery(token): cancels a queued query or interrupts a running one.
 * A no-op once the query completed. */
napi_value hn_query_abort(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  query_work *w = NULL;
  HN_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || napi_unwrap(env, argv[0], (void **)&w) != napi_ok || !w) return NULL;
  atomic_store(&w->aborted, 1);
  /* Not started yet: cancelled outright (complete gets napi_cancelled). */
  if (napi_cancel_async_work(env, w->work) == napi_ok) return NULL;
  /* Running: the flag covers the moments before the statement is prepared
   * and after its step; the statement's own interrupt covers the step. */
  heliosdb_stmt *st = (heliosdb_stmt *)atomic_load(&w->stmt_token);
  if (st) heliosdb_stmt_interrupt(st);
  return NULL;
}
