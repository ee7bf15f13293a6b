#!/usr/bin/env bash
# A private PostgreSQL server for tests and benchmarks.
#
#   scripts/pg.sh start DIR PORT       initdb DIR/data on first use (trust auth, user postgres),
#                                      then start it on 127.0.0.1:PORT only, unix socket in DIR/sock
#   scripts/pg.sh stop DIR [MODE]      stop it (MODE: fast (default), immediate = crash-like, smart)
#   scripts/pg.sh restart DIR PORT     stop (fast), then start
#   scripts/pg.sh status DIR           exit 0 when running
#
# Connect with "host=127.0.0.1 port=PORT user=postgres dbname=postgres".
# Binaries: the newest /usr/lib/postgresql/*/bin, else initdb/pg_ctl on PATH.
# As root (initdb refuses root) the server runs as the `postgres` user through
# `runuser`; DIR is then handed to that user, and its parent must let it in.
# Extra server settings: PG_OPTS (default "-c fsync=off", fine for tests;
# set PG_OPTS="" for a durable server, as a benchmark should).
set -euo pipefail

die() { echo "pg.sh: $*" >&2; exit 1; }

bindir() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
    done
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"; return 0
    fi
    die "no PostgreSQL binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin or on PATH (apt-get install postgresql)"
}

as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start() {
    local dir=$1 port=$2 bin
    [[ $port =~ ^[0-9]+$ ]] || die "PORT must be a number, not '$port'"
    bin=$(bindir)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' user"
        chown postgres "$dir"
        runuser -u postgres -- test -w "$dir" ||
            die "user postgres cannot write $dir (is a parent directory closed to others?)"
    fi
    as_pg mkdir -p "$dir/sock"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_pg "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync \
            >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    fi
    local opts="-c listen_addresses=127.0.0.1 -p $port -k $dir/sock ${PG_OPTS--c fsync=off}"
    if ! as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null; then
        tail -n 20 "$dir/server.log" >&2 || true
        die "server did not start (log: $dir/server.log)"
    fi
}

stop() {
    local dir=$1 mode=${2:-fast} bin
    bin=$(bindir)
    [ -f "$dir/data/PG_VERSION" ] || return 0
    if as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        as_pg "$bin/pg_ctl" -D "$dir/data" -m "$mode" -w -t 60 stop >/dev/null
    fi
}

cmd=${1:-}
case "$cmd" in
    start)   [ $# -eq 3 ] || die "usage: pg.sh start DIR PORT"; start "$2" "$3" ;;
    stop)    [ $# -ge 2 ] && [ $# -le 3 ] || die "usage: pg.sh stop DIR [fast|immediate|smart]"; stop "$2" "${3:-fast}" ;;
    restart) [ $# -eq 3 ] || die "usage: pg.sh restart DIR PORT"; stop "$2" fast; start "$2" "$3" ;;
    status)  [ $# -eq 2 ] || die "usage: pg.sh status DIR"; as_pg "$(bindir)/pg_ctl" -D "$2/data" status >/dev/null ;;
    *)       die "usage: pg.sh start DIR PORT | stop DIR [MODE] | restart DIR PORT | status DIR" ;;
esac
