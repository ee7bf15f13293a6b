/*
 * addon.c — module entry point of the HeliosDB-Lite N-API addon.
 *
 * Owns: per-environment state and the exports: NativeDatabase,
 * NativeStatement, abortQuery, registerErrorClass, version.
 */
#include <stdlib.h>

#include "addon.h"

static void state_free(napi_env env, void *data, void *hint) {
  (void)hint;
  hn_state *st = data;
  if (st->db_ctor) napi_delete_reference(env, st->db_ctor);
  if (st->stmt_ctor) napi_delete_reference(env, st->stmt_ctor);
  if (st->error_ctor) napi_delete_reference(env, st->error_ctor);
  if (st->run_info_ref) napi_delete_reference(env, st->run_info_ref);
  free(st);
}

static napi_value init(napi_env env, napi_value exports) {
  hn_state *st = calloc(1, sizeof *st);
  if (!st) return NULL;
  if (napi_set_instance_data(env, st, state_free, NULL) != napi_ok) {
    free(st);
    return NULL;
  }
  napi_value fn, ver, buf;
  void *data = NULL;
  /* Created here (not from JS) so its memory is off the V8 heap and stays put. */
  if (napi_create_arraybuffer(env, 3 * sizeof(double), &data, &buf) != napi_ok) return NULL;
  st->run_info = data;
  napi_create_reference(env, buf, 1, &st->run_info_ref);
  napi_set_named_property(env, exports, "runInfo", buf);
  if (hn_define_database(env, exports, st) != napi_ok) return NULL;
  if (hn_define_statement(env, exports, st) != napi_ok) return NULL;
  napi_create_function(env, "abortQuery", NAPI_AUTO_LENGTH, hn_query_abort, NULL, &fn);
  napi_set_named_property(env, exports, "abortQuery", fn);
  napi_create_function(env, "registerErrorClass", NAPI_AUTO_LENGTH, hn_register_error_class, NULL, &fn);
  napi_set_named_property(env, exports, "registerErrorClass", fn);
  napi_create_string_utf8(env, heliosdb_version(), NAPI_AUTO_LENGTH, &ver);
  napi_set_named_property(env, exports, "version", ver);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
