// ConcurrencyTest.java — threads: 8 threads each with its own connection to one database
// directory, and 8 threads sharing one Database (as documented: each thread its own
// Statement, the engine serializes calls).
package io.heliosdb;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrencyTest {
    static final int THREADS = 8;
    static final int ROWS = 100;

    @TempDir
    Path dir;

    private static long count(Database db, String sql) throws HeliosDBException {
        try (Statement st = db.prepare(sql); Rows r = st.query()) {
            assertTrue(r.next());
            return r.getLong(0);
        }
    }

    @Test
    void eightThreadsEachWithItsOwnConnection() throws Exception {
        String path = dir.resolve("own").toString();
        try (Database setup = Database.open(path)) {
            setup.execute("CREATE TABLE ev (thread INTEGER, n INTEGER, PRIMARY KEY (thread, n))");
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final int id = t;
                results.add(pool.submit(() -> {
                    try (Database db = Database.open(path); Statement ins = db.prepare("INSERT INTO ev VALUES (?, ?)")) {
                        db.setBusyTimeout(30000);
                        for (int n = 0; n < ROWS; n++) ins.bind(1, id).bind(2, n).execute();
                        // Each thread sees its own rows (and no torn state) on its connection.
                        return count(db, "SELECT count(*) FROM ev WHERE thread = " + id);
                    }
                }));
            }
            for (Future<Long> f : results) assertEquals(ROWS, f.get());
        } finally {
            pool.shutdown();
        }
        try (Database db = Database.open(path)) {
            assertEquals(THREADS * ROWS, count(db, "SELECT count(*) FROM ev"));
            assertEquals(THREADS, count(db, "SELECT count(DISTINCT thread) FROM ev"));
        }
    }

    @Test
    void eightThreadsSharingOneDatabase() throws Exception {
        try (Database db = Database.open(dir.resolve("shared").toString())) {
            db.execute("CREATE TABLE ev (thread INTEGER, n INTEGER, PRIMARY KEY (thread, n))");
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> results = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    final int id = t;
                    results.add(pool.submit(() -> {
                        // The Database is shared; Statements and Rows are per thread.
                        try (Statement ins = db.prepare("INSERT INTO ev VALUES (?, ?)");
                                Statement sel = db.prepare("SELECT count(*), sum(n) FROM ev WHERE thread = ?")) {
                            for (int n = 0; n < ROWS; n++) {
                                ins.bind(1, id).bind(2, n).execute();
                                try (Rows r = sel.bind(1, id).query()) {
                                    assertTrue(r.next());
                                    assertEquals(n + 1, r.getLong(0));
                                    assertEquals((long) n * (n + 1) / 2, r.getLong(1));
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : results) f.get();
            } finally {
                pool.shutdown();
            }
            assertEquals(THREADS * ROWS, count(db, "SELECT count(*) FROM ev"));
        }
    }

    /**
     * A thread reading rows as fast as it can while another closes the database: the
     * reader must end with a HeliosDBException (MISUSE), never read freed memory.
     */
    @Test
    void closingWhileAnotherThreadReadsThrowsNeverCrashes() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            for (int round = 0; round < 10; round++) {
                Database db = Database.openInMemory();
                db.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT, data BLOB)");
                db.execute("INSERT INTO big WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000) "
                        + "SELECT x, 'name ' || x, x'00ff00ff' FROM n");
                java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
                Future<Long> reader = pool.submit(() -> {
                    long seen = 0;
                    while (true) {
                        try (Statement st = db.prepare("SELECT id, name, data FROM big"); Rows r = st.query()) {
                            while (r.next()) {
                                seen += r.getLong(0) + r.getString(1).length() + r.getBytes(2).length;
                                reading.countDown();
                            }
                        }
                    }
                });
                reading.await();
                Thread.sleep(round % 5);
                db.close();
                Exception e = assertThrows(Exception.class, () -> reader.get());
                HeliosDBException h = assertInstanceOf(HeliosDBException.class, e.getCause(), e.toString());
                assertTrue(h.getCode() == HeliosDBException.MISUSE || h.getCode() == HeliosDBException.INTERRUPT, h.toString());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
