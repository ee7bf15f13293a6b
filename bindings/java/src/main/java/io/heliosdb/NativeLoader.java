// NativeLoader.java — finds and loads libheliosdb_jni.so exactly once per class loader:
// from -Dheliosdb.library.path when set, otherwise extracted from the jar
// (native/<os>-<arch>/) to a private temp file.
package io.heliosdb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads the native part of the binding. Loading happens once, on first use of any
 * database class; the class-initialization lock of {@link NativeDB} makes it
 * thread-safe (two threads opening their first database at once load it once).
 *
 * <p>Set the system property {@code heliosdb.library.path} to a {@code .so} file (or a
 * directory holding {@code libheliosdb_jni.so}) to use a library outside the jar.
 */
public final class NativeLoader {
    /** System property naming a native library file or directory that overrides the jar's copy. */
    public static final String LIBRARY_PATH_PROPERTY = "heliosdb.library.path";
    static final String LIBRARY_FILE = "libheliosdb_jni.so";

    private static String loadedFrom;

    private NativeLoader() {}

    /** Where the native library was loaded from (a file path), or null before the first load. */
    public static synchronized String loadedFrom() {
        return loadedFrom;
    }

    /** The jar's directory for this platform, such as {@code linux-x86_64}. */
    public static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("linux") ? "linux" : os.contains("mac") ? "macos" : os.contains("win") ? "windows" : os;
        String a = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
        return o + "-" + a;
    }

    static synchronized void load() {
        if (loadedFrom != null) return;
        String override = System.getProperty(LIBRARY_PATH_PROPERTY);
        Path file;
        if (override != null && !override.isEmpty()) {
            file = Paths.get(override);
            if (Files.isDirectory(file)) file = file.resolve(LIBRARY_FILE);
            if (!Files.isRegularFile(file)) {
                throw new UnsatisfiedLinkError(LIBRARY_PATH_PROPERTY + "=" + override + ": no such library file " + file);
            }
        } else {
            file = extract();
        }
        System.load(file.toAbsolutePath().toString());
        loadedFrom = file.toAbsolutePath().toString();
    }

    /** Copies the jar's library to a fresh temp file (deleted at exit) and returns it. */
    private static Path extract() {
        String resource = "/native/" + platform() + "/" + LIBRARY_FILE;
        try (InputStream in = NativeLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("HeliosDB: no native library for " + platform() + " in the jar (" + resource
                        + "); build the binding on this platform or set -D" + LIBRARY_PATH_PROPERTY);
            }
            Path tmp = Files.createTempFile("heliosdb_jni-", ".so");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        } catch (IOException e) {
            UnsatisfiedLinkError err = new UnsatisfiedLinkError("HeliosDB: cannot extract " + resource + ": " + e);
            err.initCause(e);
            throw err;
        }
    }
}
