// Utf8.java — the one place Java strings become the UTF-8 bytes the C ABI takes and back.
package io.heliosdb;

import java.nio.charset.StandardCharsets;

/** UTF-8 conversions for the JNI boundary (standard UTF-8, never JNI's modified UTF-8). */
final class Utf8 {
    private Utf8() {}

    /** Bytes of a string the ABI reads up to its NUL (SQL, paths, names): a NUL inside is refused. */
    static byte[] cString(String s, String what) throws HeliosDBException {
        if (s == null) throw new HeliosDBException(HeliosDBException.MISUSE, what + " is null");
        if (s.indexOf('\0') >= 0) throw new HeliosDBException(HeliosDBException.MISUSE, what + " contains a NUL character");
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Bytes of a value passed with its length (may contain NUL). */
    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
