// NativeMemoryTest.java — windows of 10,000 statement open/query/close cycles keep the process's
// resident memory flat (a leaked statement or buffer per cycle would show), and a leaked
// (never closed) Statement is finalized by the Cleaner backstop.
package io.heliosdb;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

class NativeMemoryTest {
    /** Resident set size in kB from /proc/self/status (Linux). */
    static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        throw new IllegalStateException("no VmRSS");
    }

    private static void cycles(Database db, int n) throws HeliosDBException {
        for (int i = 0; i < n; i++) {
            try (Statement st = db.prepare("SELECT id, name, ? FROM m WHERE id = ?")) {
                st.bind(1, "payload-" + i).bind(2, (long) (i % 100));
                try (Rows r = st.query()) {
                    assertTrue(r.next());
                    assertEquals("payload-" + i, r.getString(2));
                }
            }
        }
    }

    @Test
    void tenThousandStatementCyclesKeepNativeMemoryFlat() throws Exception {
        try (Database db = Database.openInMemory()) {
            db.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, name TEXT)");
            try (Statement ins = db.prepare("INSERT INTO m VALUES (?, ?)")) {
                for (int i = 0; i < 100; i++) ins.bind(1, i).bind(2, "row " + i).execute();
            }
            cycles(db, 2000); // warm up: JIT, allocator arenas
            // A leak grows RSS in every window; the JIT's code cache, metaspace and malloc
            // arenas grow in steps that land in one window or another. So the smallest
            // growth of three windows is the leak's, free of most of that noise (a single
            // window once measured 6.3 MB of growth on a loaded CI machine with no leak).
            long least = Long.MAX_VALUE;
            for (int w = 0; w < 3; w++) {
                System.gc();
                long before = rssKb();
                cycles(db, 10000);
                System.gc();
                long grown = rssKb() - before;
                System.out.println("NativeMemoryTest: RSS grew " + grown + " kB over 10,000 statement cycles");
                least = Math.min(least, grown);
            }
            // A leak of even one small allocation per cycle (statement, bound text, row)
            // would be ≥ 10,000 × ~1 kB in each window.
            assertTrue(least < 4 * 1024, "RSS grew by at least " + least + " kB in each of 3 windows of 10,000 cycles");
            assertTrue(db.state.statements.isEmpty(), "closed statements stay registered");
        }
    }

    @Test
    void cleanerFinalizesALeakedStatement() throws Exception {
        try (Database db = Database.openInMemory()) {
            leak(db);
            long deadline = System.currentTimeMillis() + 10000;
            while (!db.state.statements.isEmpty() && System.currentTimeMillis() < deadline) {
                System.gc();
                Thread.sleep(20);
            }
            assertTrue(db.state.statements.isEmpty(), "the Cleaner did not finalize the leaked statement");
        }
    }

    private static void leak(Database db) throws HeliosDBException {
        db.prepare("SELECT 1"); // never closed: only the Cleaner can release it
        assertEquals(1, db.state.statements.size());
    }
}
