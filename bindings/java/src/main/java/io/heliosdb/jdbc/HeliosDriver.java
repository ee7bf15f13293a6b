// HeliosDriver.java — the java.sql.Driver for jdbc:heliosdb:<dir> and jdbc:heliosdb::memory:,
// registered with DriverManager by the service loader (META-INF/services/java.sql.Driver).
package io.heliosdb.jdbc;

import io.heliosdb.Database;
import io.heliosdb.HeliosDBException;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * JDBC driver. URLs: {@code jdbc:heliosdb:/path/to/dir}, {@code jdbc:heliosdb::memory:},
 * optionally followed by {@code ?key=value&…}. Properties (in the URL or the
 * {@link Properties}): {@value #CONFIG} (path of a {@code heliosdb.toml}),
 * {@value #CONFIG_TEXT} (TOML or JSON text), {@value #BUSY_TIMEOUT} (milliseconds a write
 * waits for another connection's transaction).
 */
public final class HeliosDriver implements Driver {
    /** URL prefix. */
    public static final String PREFIX = "jdbc:heliosdb:";
    /** Property: path of a heliosdb.toml configuration file. */
    public static final String CONFIG = "config";
    /** Property: configuration as TOML or JSON text. */
    public static final String CONFIG_TEXT = "configText";
    /** Property: busy timeout in milliseconds. */
    public static final String BUSY_TIMEOUT = "busyTimeout";
    static final int MAJOR = 0;
    static final int MINOR = 1;

    static {
        try {
            DriverManager.registerDriver(new HeliosDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) return null; // DriverManager asks every driver
        Properties props = new Properties();
        if (info != null) props.putAll(info);
        String rest = url.substring(PREFIX.length());
        int q = rest.indexOf('?');
        if (q >= 0) {
            for (String kv : rest.substring(q + 1).split("&")) {
                if (kv.isEmpty()) continue;
                int eq = kv.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                props.setProperty(k, v);
            }
            rest = rest.substring(0, q);
        }
        if (rest.isEmpty()) throw new SQLException("no database path in " + url + " (use jdbc:heliosdb:<dir> or jdbc:heliosdb::memory:)", "08001");
        String config = props.getProperty(CONFIG_TEXT);
        String configFile = props.getProperty(CONFIG);
        if (configFile != null && !configFile.isEmpty()) {
            try {
                config = Files.readString(Paths.get(configFile));
            } catch (IOException e) {
                throw new SQLException("cannot read config file " + configFile + ": " + e.getMessage(), "08001", e);
            }
        }
        Database db;
        try {
            db = Database.open(rest, config);
        } catch (HeliosDBException e) {
            SQLException s = SqlStates.of(e);
            throw new SQLException("cannot open " + rest + ": " + e.getMessage(),
                    e.getCode() == HeliosDBException.BUSY ? "08004" : "08001", e.getCode(), s);
        }
        try {
            String busy = props.getProperty(BUSY_TIMEOUT);
            if (busy != null && !busy.isEmpty()) db.setBusyTimeout(Integer.parseInt(busy.trim()));
        } catch (HeliosDBException | NumberFormatException e) {
            try {
                db.close();
            } catch (HeliosDBException ignored) {
                // already failing
            }
            throw new SQLException("bad " + BUSY_TIMEOUT + ": " + e.getMessage(), "08001", e);
        }
        return new HeliosConnection(db, url);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        DriverPropertyInfo cfg = new DriverPropertyInfo(CONFIG, info == null ? null : info.getProperty(CONFIG));
        cfg.description = "path of a heliosdb.toml configuration file";
        DriverPropertyInfo text = new DriverPropertyInfo(CONFIG_TEXT, info == null ? null : info.getProperty(CONFIG_TEXT));
        text.description = "configuration as TOML or JSON text";
        DriverPropertyInfo busy = new DriverPropertyInfo(BUSY_TIMEOUT, info == null ? null : info.getProperty(BUSY_TIMEOUT));
        busy.description = "milliseconds a write waits for another connection's transaction (default 5000)";
        return new DriverPropertyInfo[] {cfg, text, busy};
    }

    @Override
    public int getMajorVersion() {
        return MAJOR;
    }

    @Override
    public int getMinorVersion() {
        return MINOR;
    }

    /** Not fully JDBC compliant (forward-only result sets, a subset of metadata). */
    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("getParentLogger is not supported by HeliosDB");
    }
}
