// split_sql.js — splits a SQL script into statements at top-level ';'.
//
// Only needed by read-only connections: their exec() prepares each
// statement to refuse writes before running anything. Quotes ('…', "…",
// `…`, […]) and comments (-- …, /* … */) are skipped; a CREATE TRIGGER body
// (BEGIN … END) is a write anyway and is refused as a whole.
'use strict';

/** @param {string} sql @returns {string[]} non-empty statements */
function splitSql(sql) {
  const out = [];
  let start = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === '`' || c === '[') {
      const close = c === '[' ? ']' : c;
      i++;
      while (i < n) {
        if (sql[i] === close) {
          if (sql[i + 1] === close && close !== ']') {
            i += 2;
            continue;
          }
          break;
        }
        i++;
      }
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === ';') {
      out.push(sql.slice(start, i));
      start = ++i;
    } else {
      i++;
    }
  }
  out.push(sql.slice(start));
  return out.filter((s) => s.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim() !== '');
}

module.exports = { splitSql };
