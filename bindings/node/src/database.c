/*
 * database.c — the native Database class (one heliosdb connection).
 *
 * Owns: open/close, exec, interrupt, connection counters, and the list of
 * live statements that close() and the finalizer release. lib/database.js
 * wraps this class with argument checks and the better-sqlite3 API.
 */
#include <stdlib.h>
#include <string.h>

#include "addon.h"

static bool is_open(const hn_db *db) { return db && db->handle && !db->close_requested; }

void hn_db_close_now(hn_db *db) {
  while (db->stmts) hn_stmt_release(db->stmts);
  if (db->handle && db->pending_async == 0) {
    heliosdb_close(db->handle);
    db->handle = NULL;
  }
}

static void db_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  hn_db *db = data;
  /* Async work holds a reference to the Database object, so nothing is
   * pending here except at environment teardown (then the process exits and
   * the handle is left to it rather than closed under a running worker). */
  hn_db_close_now(db);
  free(db);
}

hn_db *hn_db_unwrap(napi_env env, napi_value v) {
  hn_db *db = NULL;
  if (napi_unwrap(env, v, (void **)&db) != napi_ok || !db) {
    hn_throw_type(env, "not a HeliosDB Database object");
    return NULL;
  }
  return db;
}

/* Gets `this` as an open database, throwing otherwise. */
static hn_db *this_open(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  size_t zero = 0;
  if (napi_get_cb_info(env, info, argc ? argc : &zero, argv, &self, NULL) != napi_ok) return NULL;
  hn_db *db = hn_db_unwrap(env, self);
  if (!db) return NULL;
  if (!is_open(db)) {
    hn_throw_type(env, "The database connection is not open");
    return NULL;
  }
  return db;
}

static char *get_string(napi_env env, napi_value v, const char *what) {
  napi_valuetype t;
  size_t n = 0;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_string) {
    hn_throw_type(env, what);
    return NULL;
  }
  napi_get_value_string_utf8(env, v, NULL, 0, &n);
  char *s = malloc(n + 1);
  if (!s) {
    hn_throw_db(env, HELIOSDB_NOMEM, "out of memory");
    return NULL;
  }
  napi_get_value_string_utf8(env, v, s, n + 1, &n);
  if (strlen(s) != n) {
    free(s);
    hn_throw_type(env, "the string must not contain NUL characters");
    return NULL;
  }
  return s;
}

/* new NativeDatabase(path, configText | null, busyTimeoutMs | undefined) */
static napi_value db_new(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], self;
  HN_CALL(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL));
  if (argc < 1) {
    hn_throw_type(env, "path must be a string");
    return NULL;
  }
  char *path = get_string(env, argv[0], "path must be a string");
  if (!path) return NULL;
  char *config = NULL;
  napi_valuetype t = napi_undefined;
  if (argc > 1) napi_typeof(env, argv[1], &t);
  if (t == napi_string) {
    config = get_string(env, argv[1], "config must be a string");
    if (!config) {
      free(path);
      return NULL;
    }
  }
  heliosdb *h = NULL;
  int rc = config ? heliosdb_open_with_config(path, config, &h) : heliosdb_open(path, &h);
  free(path);
  free(config);
  if (rc != HELIOSDB_OK) {
    hn_throw_last(env, NULL, rc);
    return NULL;
  }
  t = napi_undefined;
  if (argc > 2) napi_typeof(env, argv[2], &t);
  if (t == napi_number) {
    double ms;
    napi_get_value_double(env, argv[2], &ms);
    heliosdb_busy_timeout(h, ms > 2147483647.0 ? 2147483647 : (int)ms);
  }
  hn_db *db = calloc(1, sizeof *db);
  if (!db) {
    heliosdb_close(h);
    hn_throw_db(env, HELIOSDB_NOMEM, "out of memory");
    return NULL;
  }
  db->handle = h;
  if (napi_wrap(env, self, db, db_finalize, NULL, NULL) != napi_ok) {
    heliosdb_close(h);
    free(db);
    hn_throw_type(env, "cannot wrap the database object");
    return NULL;
  }
  return self;
}

/* close(): finalizes the connection's statements and closes it. A close
 * while async queries run interrupts them; the handle is released when the
 * last one completes. Closing twice is a no-op. */
static napi_value db_close(napi_env env, napi_callback_info info) {
  napi_value self;
  size_t argc = 0;
  HN_CALL(env, napi_get_cb_info(env, info, &argc, NULL, &self, NULL));
  hn_db *db = hn_db_unwrap(env, self);
  if (!db || !is_open(db)) return NULL;
  while (db->stmts) hn_stmt_release(db->stmts);
  if (db->pending_async > 0) {
    db->close_requested = true;
    heliosdb_interrupt(db->handle);
    return NULL;
  }
  int rc = heliosdb_close(db->handle);
  if (rc != HELIOSDB_OK) {
    hn_throw_last(env, NULL, rc);
    return NULL;
  }
  db->handle = NULL;
  return NULL;
}

static napi_value db_exec(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  hn_db *db = this_open(env, info, &argc, argv);
  if (!db) return NULL;
  if (argc < 1) {
    hn_throw_type(env, "exec expects a SQL string");
    return NULL;
  }
  char *sql = get_string(env, argv[0], "exec expects a SQL string");
  if (!sql) return NULL;
  int rc = heliosdb_exec(db->handle, sql);
  free(sql);
  if (rc != HELIOSDB_OK) hn_throw_last(env, db->handle, rc);
  return NULL;
}

static napi_value db_interrupt(napi_env env, napi_callback_info info) {
  hn_db *db = this_open(env, info, NULL, NULL);
  if (db) heliosdb_interrupt(db->handle);
  return NULL;
}

static napi_value db_is_open(napi_env env, napi_callback_info info) {
  napi_value self, r;
  size_t argc = 0;
  HN_CALL(env, napi_get_cb_info(env, info, &argc, NULL, &self, NULL));
  hn_db *db = hn_db_unwrap(env, self);
  if (!db) return NULL;
  napi_get_boolean(env, is_open(db), &r);
  return r;
}

static napi_value db_in_transaction(napi_env env, napi_callback_info info) {
  napi_value self, r;
  size_t argc = 0;
  HN_CALL(env, napi_get_cb_info(env, info, &argc, NULL, &self, NULL));
  hn_db *db = hn_db_unwrap(env, self);
  if (!db) return NULL;
  napi_get_boolean(env, is_open(db) && heliosdb_get_autocommit(db->handle) == 0, &r);
  return r;
}

static napi_value db_notice(napi_env env, napi_callback_info info) {
  napi_value r;
  hn_db *db = this_open(env, info, NULL, NULL);
  if (!db) return NULL;
  const char *n = heliosdb_notice(db->handle);
  if (n)
    napi_create_string_utf8(env, n, NAPI_AUTO_LENGTH, &r);
  else
    napi_get_null(env, &r);
  return r;
}

static napi_value db_set_timeout(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  hn_db *db = this_open(env, info, &argc, argv);
  if (!db) return NULL;
  double ms = 0;
  if (argc < 1 || napi_get_value_double(env, argv[0], &ms) != napi_ok) {
    hn_throw_type(env, "timeout must be a number of milliseconds");
    return NULL;
  }
  heliosdb_busy_timeout(db->handle, ms > 2147483647.0 ? 2147483647 : (int)ms);
  return NULL;
}

napi_status hn_define_database(napi_env env, napi_value exports, hn_state *st) {
  napi_property_descriptor props[] = {
      {"close", NULL, db_close, NULL, NULL, NULL, napi_default, NULL},
      {"exec", NULL, db_exec, NULL, NULL, NULL, napi_default, NULL},
      {"interrupt", NULL, db_interrupt, NULL, NULL, NULL, napi_default, NULL},
      {"isOpen", NULL, db_is_open, NULL, NULL, NULL, napi_default, NULL},
      {"inTransaction", NULL, db_in_transaction, NULL, NULL, NULL, napi_default, NULL},
      {"notice", NULL, db_notice, NULL, NULL, NULL, napi_default, NULL},
      {"setTimeout", NULL, db_set_timeout, NULL, NULL, NULL, napi_default, NULL},
      {"query", NULL, hn_db_query_async, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value cls;
  napi_status s = napi_define_class(env, "NativeDatabase", NAPI_AUTO_LENGTH, db_new, NULL,
                                    sizeof props / sizeof props[0], props, &cls);
  if (s != napi_ok) return s;
  if ((s = napi_create_reference(env, cls, 1, &st->db_ctor)) != napi_ok) return s;
  return napi_set_named_property(env, exports, "NativeDatabase", cls);
}
