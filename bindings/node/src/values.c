/*
 * values.c — converting between JS values and heliosdb values.
 *
 * Owns: parameter binding (positional values and a named-parameter object,
 * better-sqlite3 style) and result-column conversion (INTEGER → number or
 * BigInt, BOOLEAN → boolean, DECIMAL → exact string, TEXT → string,
 * BLOB → Buffer, NULL → null).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addon.h"

/* 2^53: integers beyond it are bound as BigInt-exact int64 only when given
 * as BigInt; a Number that large is bound as a double. */
#define MAX_SAFE 9007199254740991.0

void hn_value_free(hn_value *v) {
  free(v->p);
  v->p = NULL;
}

static bool is_plain_object(napi_env env, napi_value v) {
  napi_valuetype t;
  bool is_buf = false, is_arr = false, is_ta = false, is_date = false;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_object) return false;
  napi_is_buffer(env, v, &is_buf);
  napi_is_array(env, v, &is_arr);
  napi_is_typedarray(env, v, &is_ta);
  napi_is_date(env, v, &is_date);
  return !is_buf && !is_arr && !is_ta && !is_date;
}

/* Copies a JS string's UTF-8 bytes into malloc'd memory. */
static bool copy_string(napi_env env, napi_value v, char **out, size_t *len) {
  size_t n = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &n) != napi_ok) return false;
  char *buf = malloc(n + 1);
  if (!buf) return false;
  if (napi_get_value_string_utf8(env, v, buf, n + 1, &n) != napi_ok) {
    free(buf);
    return false;
  }
  *out = buf;
  *len = n;
  return true;
}

bool hn_value_from_js(napi_env env, napi_value v, hn_value *out) {
  napi_valuetype t;
  memset(out, 0, sizeof *out);
  out->type = HELIOSDB_NULL;
  if (napi_typeof(env, v, &t) != napi_ok) return false;
  switch (t) {
    case napi_null:
      return true;
    case napi_number: {
      double d;
      napi_get_value_double(env, v, &d);
      /* Integral Numbers bind as INTEGER so `SELECT ?` of 5 gives 5, not 5.0. */
      if (d >= -MAX_SAFE && d <= MAX_SAFE && d == (double)(int64_t)d) { /* range first: the cast of NaN or a huge value is undefined */
        out->type = HELIOSDB_INTEGER;
        out->i = (int64_t)d;
      } else {
        out->type = HELIOSDB_FLOAT;
        out->d = d;
      }
      return true;
    }
    case napi_bigint: {
      bool lossless = false;
      napi_get_value_bigint_int64(env, v, &out->i, &lossless);
      if (!lossless) {
        hn_throw_range(env, "BigInt parameter does not fit in a 64-bit signed integer");
        return false;
      }
      out->type = HELIOSDB_INTEGER;
      return true;
    }
    case napi_boolean: {
      bool b;
      napi_get_value_bool(env, v, &b);
      out->type = HELIOSDB_INTEGER;
      out->i = b ? 1 : 0;
      return true;
    }
    case napi_string:
      if (!copy_string(env, v, &out->p, &out->len)) {
        hn_throw_range(env, "cannot read string parameter");
        return false;
      }
      out->type = HELIOSDB_TEXT;
      return true;
    case napi_object: {
      bool is_buf = false, is_ta = false, is_dv = false;
      void *data = NULL;
      size_t len = 0;
      /* Typed arrays first: napi_is_buffer also says yes to other views. */
      if (napi_is_typedarray(env, v, &is_ta) == napi_ok && is_ta) {
        napi_typedarray_type tt;
        size_t elems, off;
        napi_value ab;
        napi_get_typedarray_info(env, v, &tt, &elems, &data, &ab, &off);
        if (tt != napi_uint8_array && tt != napi_uint8_clamped_array && tt != napi_int8_array) {
          hn_throw_type(env, "only Buffer and Uint8Array can be bound as a BLOB");
          return false;
        }
        len = elems;
      } else if (napi_is_dataview(env, v, &is_dv) == napi_ok && !is_dv &&
                 napi_is_buffer(env, v, &is_buf) == napi_ok && is_buf) {
        napi_get_buffer_info(env, v, &data, &len);
      } else {
        hn_throw_type(env,
                      "cannot bind this value: use number, bigint, string, boolean, null, Buffer or "
                      "Uint8Array (named parameters go in a plain object)");
        return false;
      }
      if (len > INT32_MAX) {
        hn_throw_range(env, "BLOB parameter is larger than 2 GiB");
        return false;
      }
      out->type = HELIOSDB_BLOB;
      out->len = len;
      out->p = malloc(len ? len : 1);
      if (!out->p) {
        hn_throw_db(env, HELIOSDB_NOMEM, "out of memory copying a BLOB parameter");
        return false;
      }
      if (len) memcpy(out->p, data, len);
      return true;
    }
    case napi_undefined:
      hn_throw_type(env, "cannot bind undefined (use null for SQL NULL)");
      return false;
    default:
      hn_throw_type(env, "cannot bind a function or symbol");
      return false;
  }
}

int hn_value_bind(heliosdb_stmt *st, int idx, const hn_value *v) {
  switch (v->type) {
    case HELIOSDB_INTEGER: return heliosdb_bind_int64(st, idx, v->i);
    case HELIOSDB_FLOAT: return heliosdb_bind_double(st, idx, v->d);
    case HELIOSDB_TEXT: return heliosdb_bind_text(st, idx, v->p, (int)v->len);
    case HELIOSDB_BLOB: return heliosdb_bind_blob(st, idx, v->p, (int)v->len);
    default: return heliosdb_bind_null(st, idx);
  }
}

/* Binds one JS value; throws on failure. Strings go through a stack buffer
 * when short, to spare a malloc per parameter on the hot path. */
static bool bind_one(napi_env env, heliosdb_stmt *st, heliosdb *db, int idx, napi_value v) {
  napi_valuetype t;
  int rc;
  if (napi_typeof(env, v, &t) != napi_ok) return false;
  if (t == napi_string) {
    char small[256];
    size_t n = 0;
    napi_get_value_string_utf8(env, v, small, sizeof small, &n);
    /* A truncated copy stops within 4 bytes of the end (whole UTF-8
     * characters only), so anything shorter is the whole string. */
    if (n + 4 < sizeof small) {
      rc = heliosdb_bind_text(st, idx, small, (int)n);
    } else {
      hn_value hv;
      if (!hn_value_from_js(env, v, &hv)) return false;
      rc = hn_value_bind(st, idx, &hv);
      hn_value_free(&hv);
    }
  } else {
    hn_value hv;
    if (!hn_value_from_js(env, v, &hv)) return false;
    rc = hn_value_bind(st, idx, &hv);
    hn_value_free(&hv);
  }
  if (rc != HELIOSDB_OK) {
    hn_throw_last(env, db, rc);
    return false;
  }
  return true;
}

bool hn_bind_js(napi_env env, heliosdb_stmt *st, heliosdb *db, napi_value params, int count,
                const char *const *names) {
  uint32_t n = 0;
  napi_value named = NULL;
  if (napi_get_array_length(env, params, &n) != napi_ok) {
    hn_throw_type(env, "parameters must be an array");
    return false;
  }
  /* A trailing plain object holds named parameters (better-sqlite3 style). */
  if (n > 0) {
    napi_value last;
    napi_get_element(env, params, n - 1, &last);
    if (is_plain_object(env, last)) {
      named = last;
      n--;
    }
  }
  uint32_t next = 0;
  for (int idx = 1; idx <= count; idx++) {
    const char *name = names ? names[idx - 1] : NULL;
    napi_value v;
    if (name) {
      if (!named) {
        char msg[300];
        snprintf(msg, sizeof msg, "Missing named parameter \"%s\": pass an object of named values", name + 1);
        hn_throw_range(env, msg);
        return false;
      }
      bool has = false;
      napi_value key;
      napi_create_string_utf8(env, name + 1, NAPI_AUTO_LENGTH, &key);
      /* Own properties only: `{}` must not supply :constructor or :toString. */
      if (napi_has_own_property(env, named, key, &has) != napi_ok) return false;
      if (!has) {
        char msg[300];
        snprintf(msg, sizeof msg, "Missing named parameter \"%s\"", name + 1);
        hn_throw_range(env, msg);
        return false;
      }
      if (napi_get_property(env, named, key, &v) != napi_ok) return false;
    } else {
      if (next >= n) {
        char msg[120];
        snprintf(msg, sizeof msg, "Too few parameter values were provided (statement has %d)", count);
        hn_throw_range(env, msg);
        return false;
      }
      if (napi_get_element(env, params, next++, &v) != napi_ok) return false;
    }
    if (!bind_one(env, st, db, idx, v)) return false;
  }
  if (next < n) {
    char msg[120];
    snprintf(msg, sizeof msg, "Too many parameter values were provided (statement takes %u positional)", next);
    hn_throw_range(env, msg);
    return false;
  }
  return true;
}

void hn_column_decls(heliosdb_stmt *st, int ncols, unsigned char *out) {
  for (int i = 0; i < ncols; i++) {
    const char *d = heliosdb_column_decltype(st, i);
    out[i] = HN_DECL_PLAIN;
    if (!d) continue;
    if (strncasecmp(d, "BOOL", 4) == 0)
      out[i] = HN_DECL_BOOLEAN;
    else if (strncasecmp(d, "DECIMAL", 7) == 0 || strncasecmp(d, "NUMERIC", 7) == 0)
      out[i] = HN_DECL_DECIMAL;
  }
}

napi_value hn_int64_to_js(napi_env env, int64_t v, bool safe_ints) {
  napi_value r;
  if (safe_ints)
    napi_create_bigint_int64(env, v, &r);
  else
    napi_create_double(env, (double)v, &r);
  return r;
}

napi_value hn_column_to_js(napi_env env, heliosdb_stmt *st, int i, unsigned char decl, bool safe_ints) {
  napi_value r = NULL;
  switch (heliosdb_column_type(st, i)) {
    case HELIOSDB_INTEGER: {
      int64_t v = heliosdb_column_int64(st, i);
      if (decl == HN_DECL_BOOLEAN) {
        napi_get_boolean(env, v != 0, &r);
        return r;
      }
      return hn_int64_to_js(env, v, safe_ints);
    }
    case HELIOSDB_FLOAT:
      if (decl == HN_DECL_DECIMAL) {
        /* Exact digits; a double would round them. */
        const char *s = heliosdb_column_text(st, i);
        int n = heliosdb_column_bytes(st, i);
        napi_create_string_utf8(env, s ? s : "", (size_t)n, &r);
        return r;
      }
      napi_create_double(env, heliosdb_column_double(st, i), &r);
      return r;
    case HELIOSDB_TEXT: {
      const char *s = heliosdb_column_text(st, i);
      int n = heliosdb_column_bytes(st, i);
      napi_create_string_utf8(env, s ? s : "", (size_t)n, &r);
      return r;
    }
    case HELIOSDB_BLOB: {
      const void *p = heliosdb_column_blob(st, i);
      int n = heliosdb_column_bytes(st, i);
      void *dst;
      napi_create_buffer_copy(env, (size_t)n, p ? p : "", &dst, &r);
      return r;
    }
    default:
      napi_get_null(env, &r);
      return r;
  }
}
