// NativeLoaderTest.java — the native library is extracted from the classpath (the jar's
// native/<platform>/ directory) once, and -Dheliosdb.library.path overrides it (checked
// in a child JVM, since a JVM loads the library only once).
package io.heliosdb;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NativeLoaderTest {
    /** Child-JVM entry point: opens a database and prints where the library came from. */
    public static void main(String[] args) throws Exception {
        try (Database db = Database.openInMemory()) {
            System.out.println(Database.version() + " " + NativeLoader.loadedFrom());
        }
    }

    @Test
    void extractedOnceFromTheClasspath() throws Exception {
        try (Database db = Database.openInMemory()) {
            String from = NativeLoader.loadedFrom();
            assertNotNull(from);
            assertTrue(Files.isRegularFile(Paths.get(from)), from);
            assertNotNull(NativeLoaderTest.class.getResource("/native/" + NativeLoader.platform() + "/libheliosdb_jni.so"));
        }
        String again = NativeLoader.loadedFrom();
        try (Database db = Database.openInMemory()) {
            assertEquals(again, NativeLoader.loadedFrom()); // not extracted twice
        }
    }

    private static Process child(String property) throws Exception {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-D" + NativeLoader.LIBRARY_PATH_PROPERTY + "=" + property,
                "-cp", System.getProperty("java.class.path"), NativeLoaderTest.class.getName());
        pb.redirectErrorStream(true);
        return pb.start();
    }

    @Test
    void libraryPathPropertyOverridesTheJar() throws Exception {
        Path copy = Files.createTempDirectory("heliosdb-lib-");
        try {
            Path lib = copy.resolve("libheliosdb_jni.so");
            try (Database db = Database.openInMemory()) {
                Files.copy(Paths.get(NativeLoader.loadedFrom()), lib);
            }
            Process p = child(copy.toString()); // a directory holding the library
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            String out = new String(p.getInputStream().readAllBytes()).trim();
            assertEquals(0, p.exitValue(), out);
            assertEquals(Database.version() + " " + lib.toAbsolutePath(), out);

            Process bad = child(copy.resolve("missing.so").toString());
            assertTrue(bad.waitFor(60, TimeUnit.SECONDS));
            String err = new String(bad.getInputStream().readAllBytes());
            assertNotEquals(0, bad.exitValue());
            assertTrue(err.contains("UnsatisfiedLinkError") && err.contains("missing.so"), err);
        } finally {
            for (File f : copy.toFile().listFiles()) f.delete();
            copy.toFile().delete();
        }
    }
}
