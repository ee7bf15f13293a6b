/*
 * errors.c — turning heliosdb status codes into JS exceptions.
 *
 * Owns: the code-name table ('HELIOSDB_CONSTRAINT', …) and the HeliosDBError
 * construction. lib/errors.js registers its class at load time so errors
 * thrown here are `instanceof HeliosDBError`; until then plain Errors with
 * the same `code`/`errcode` properties are thrown.
 */
#include <stdio.h>
#include <string.h>

#include "addon.h"

const char *hn_code_name(int rc) {
  switch (rc) {
    case HELIOSDB_OK: return "HELIOSDB_OK";
    case HELIOSDB_ERROR: return "HELIOSDB_ERROR";
    case HELIOSDB_BUSY: return "HELIOSDB_BUSY";
    case HELIOSDB_NOMEM: return "HELIOSDB_NOMEM";
    case HELIOSDB_READONLY: return "HELIOSDB_READONLY";
    case HELIOSDB_INTERRUPT: return "HELIOSDB_INTERRUPT";
    case HELIOSDB_IOERR: return "HELIOSDB_IOERR";
    case HELIOSDB_CORRUPT: return "HELIOSDB_CORRUPT";
    case HELIOSDB_CONSTRAINT: return "HELIOSDB_CONSTRAINT";
    case HELIOSDB_MISMATCH: return "HELIOSDB_MISMATCH";
    case HELIOSDB_MISUSE: return "HELIOSDB_MISUSE";
    case HELIOSDB_RANGE: return "HELIOSDB_RANGE";
    case HELIOSDB_SNAPSHOT_TOO_OLD: return "HELIOSDB_SNAPSHOT_TOO_OLD";
    default: return "HELIOSDB_UNKNOWN";
  }
}

napi_value hn_make_db_error(napi_env env, int rc, const char *msg) {
  hn_state *st = NULL;
  napi_get_instance_data(env, (void **)&st);
  napi_value jmsg, jcode, jerrcode, err = NULL, ctor = NULL;
  if (msg == NULL || msg[0] == '\0') msg = hn_code_name(rc);
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &jmsg);
  napi_create_string_utf8(env, hn_code_name(rc), NAPI_AUTO_LENGTH, &jcode);
  napi_create_int32(env, rc, &jerrcode);
  if (st && st->error_ctor && napi_get_reference_value(env, st->error_ctor, &ctor) == napi_ok && ctor) {
    napi_value argv[3] = {jmsg, jcode, jerrcode};
    if (napi_new_instance(env, ctor, 3, argv, &err) == napi_ok) return err;
    /* The class threw: fall back to a plain Error below. */
    napi_value ignored;
    napi_get_and_clear_last_exception(env, &ignored);
  }
  napi_create_error(env, jcode, jmsg, &err);
  napi_set_named_property(env, err, "errcode", jerrcode);
  return err;
}

void hn_throw_db(napi_env env, int rc, const char *msg) {
  napi_throw(env, hn_make_db_error(env, rc, msg));
}

void hn_throw_type(napi_env env, const char *msg) { napi_throw_type_error(env, NULL, msg); }

void hn_throw_range(napi_env env, const char *msg) { napi_throw_range_error(env, NULL, msg); }

void hn_throw_last(napi_env env, heliosdb *db, int rc) {
  /* errmsg is per thread and lives until this thread's next failing call:
   * read it right away (we are on the thread that failed). */
  hn_throw_db(env, rc, heliosdb_errmsg(db));
}

/* registerErrorClass(HeliosDBError): remembered for later throws. */
napi_value hn_register_error_class(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  hn_state *st = NULL;
  HN_CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  HN_CALL(env, napi_get_instance_data(env, (void **)&st));
  napi_valuetype t;
  if (argc < 1 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_function) {
    hn_throw_type(env, "registerErrorClass expects a class");
    return NULL;
  }
  if (st->error_ctor) napi_delete_reference(env, st->error_ctor);
  HN_CALL(env, napi_create_reference(env, argv[0], 1, &st->error_ctor));
  return NULL;
}
