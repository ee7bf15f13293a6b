// The header compiles as C++ (extern "C" linkage) and the API works from C++.
// Prints "N passed, M failed". Usage: test_cpp DIR
#include "heliosdb.h"

#include <cstdio>
#include <memory>
#include <string>

struct DbCloser {
    void operator()(heliosdb *db) const { heliosdb_close(db); }
};
struct StmtFinalizer {
    void operator()(heliosdb_stmt *st) const { heliosdb_finalize(st); }
};

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    int passed = 0, failed = 0;
    auto check = [&](bool ok, const char *what) {
        if (ok) passed++; else { failed++; std::fprintf(stderr, "FAIL: %s\n", what); }
    };
    heliosdb *raw = nullptr;
    check(heliosdb_open(argv[1], &raw) == HELIOSDB_OK, "open");
    std::unique_ptr<heliosdb, DbCloser> db(raw);
    check(heliosdb_exec(db.get(), "CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)") == HELIOSDB_OK, "create");
    {
        heliosdb_stmt *st = nullptr;
        check(heliosdb_prepare(db.get(), "INSERT INTO kv VALUES (?, ?)", &st) == HELIOSDB_OK, "prepare");
        std::unique_ptr<heliosdb_stmt, StmtFinalizer> ins(st);
        for (int i = 0; i < 10; i++) {
            std::string k = "key" + std::to_string(i);
            heliosdb_bind_text(ins.get(), 1, k.c_str(), static_cast<int>(k.size()));
            heliosdb_bind_int64(ins.get(), 2, i * i);
            check(heliosdb_step(ins.get()) == HELIOSDB_DONE, "insert");
            heliosdb_reset(ins.get());
        }
    }
    heliosdb_stmt *st = nullptr;
    check(heliosdb_prepare(db.get(), "SELECT sum(v) FROM kv WHERE k > 'key4'", &st) == HELIOSDB_OK, "prepare select");
    std::unique_ptr<heliosdb_stmt, StmtFinalizer> sel(st);
    check(heliosdb_step(sel.get()) == HELIOSDB_ROW, "step");
    check(heliosdb_column_int64(sel.get(), 0) == 25 + 36 + 49 + 64 + 81, "sum");
    sel.reset();
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
