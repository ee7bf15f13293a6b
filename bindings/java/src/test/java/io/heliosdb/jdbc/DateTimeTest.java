// DateTimeTest.java — DATE, TIME, TIMESTAMP and DATETIME columns through JDBC: getObject's
// java.sql types, getTimestamp/getDate/getTime with and without a Calendar (the engine's
// text is UTC), set* binding the canonical UTC text, and the metadata's java.sql.Types.
// Runs in a JVM zone other than UTC so that a forgotten conversion shows.
package io.heliosdb.jdbc;

import static org.junit.jupiter.api.Assertions.*;

import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.Calendar;
import java.util.TimeZone;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DateTimeTest {
    private static final String SCHEMA =
            "CREATE TABLE ev (id INTEGER PRIMARY KEY, d DATE, tm TIME, ts TIMESTAMP, dt DATETIME, note TEXT)";
    private TimeZone saved;

    @BeforeEach
    void otherZone() {
        saved = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
    }

    @AfterEach
    void restoreZone() {
        TimeZone.setDefault(saved);
    }

    private Connection memory() throws SQLException {
        return DriverManager.getConnection("jdbc:heliosdb::memory:");
    }

    private static String text(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }

    @Test
    void columnsReadAsJavaSqlTypes() throws Exception {
        try (Connection c = memory(); Statement s = c.createStatement()) {
            s.execute(SCHEMA);
            s.execute("INSERT INTO ev VALUES (1, '2026-01-05', '10:30:00.250', '2026-01-05T10:00:00.125+02:00',"
                    + " 1767571200, '2026-01-05 08:00:00')");
            s.execute("INSERT INTO ev (id) VALUES (2)");
            try (ResultSet rs = s.executeQuery("SELECT d, tm, ts, dt, note FROM ev ORDER BY id")) {
                assertTrue(rs.next());
                assertEquals(Date.valueOf("2026-01-05"), rs.getObject(1));
                assertEquals(new Time(Time.valueOf("10:30:00").getTime() + 250), rs.getObject(2));
                Timestamp ts = (Timestamp) rs.getObject(3);
                assertEquals(Instant.parse("2026-01-05T08:00:00.125Z"), ts.toInstant());
                assertEquals(Instant.parse("2026-01-05T00:00:00Z"), ((Timestamp) rs.getObject(4)).toInstant());
                assertEquals("2026-01-05 08:00:00", rs.getObject(5)); // TEXT stays a String

                assertEquals(ts, rs.getTimestamp("ts"));
                assertEquals(Date.valueOf("2026-01-05"), rs.getDate(1));
                assertEquals(LocalTime.of(10, 30, 0, 250_000_000), rs.getObject(2, LocalTime.class));
                // TEXT holding such text reads through the getters too.
                assertEquals(Instant.parse("2026-01-05T08:00:00Z"), rs.getTimestamp(5).toInstant());
                assertEquals(Date.valueOf("2026-01-05"), rs.getDate(5));
                assertEquals(LocalDateTime.of(2026, 1, 5, 8, 0, 0, 125_000_000), rs.getObject(3, LocalDateTime.class));
                assertEquals(Instant.parse("2026-01-05T08:00:00.125Z"), rs.getObject(3, Instant.class));

                // With a Calendar the text is read in its zone.
                Calendar tokyo = Calendar.getInstance(TimeZone.getTimeZone("Asia/Tokyo"));
                assertEquals(Instant.parse("2026-01-04T23:00:00.125Z"), rs.getTimestamp(3, tokyo).toInstant());
                assertEquals(Instant.parse("2026-01-04T15:00:00Z").toEpochMilli(), rs.getDate("d", tokyo).getTime());
                assertEquals(Instant.parse("1970-01-01T01:30:00.250Z").toEpochMilli(), rs.getTime(2, tokyo).getTime());
                Calendar utc = Calendar.getInstance(TimeZone.getTimeZone("UTC"));
                assertEquals(ts, rs.getTimestamp(3, utc));

                assertTrue(rs.next());
                for (int i = 1; i <= 4; i++) {
                    assertNull(rs.getObject(i));
                    assertNull(rs.getTimestamp(i));
                    assertTrue(rs.wasNull());
                }
                assertNull(rs.getDate(1, utc));
            }
            try (ResultSet rs = s.executeQuery("SELECT note FROM ev WHERE id = 1")) {
                assertTrue(rs.next());
                s.execute("UPDATE ev SET note = 'not a time' WHERE id = 1");
            }
            try (ResultSet rs = s.executeQuery("SELECT note FROM ev WHERE id = 1")) {
                assertTrue(rs.next());
                SQLDataException e = assertThrows(SQLDataException.class, () -> rs.getTimestamp(1));
                assertEquals("22007", e.getSQLState());
            }
        }
    }

    @Test
    void parametersBindCanonicalUtcText() throws Exception {
        try (Connection c = memory(); Statement s = c.createStatement()) {
            s.execute(SCHEMA);
            Timestamp at = Timestamp.from(Instant.parse("2026-03-01T06:30:15.123456789Z"));
            try (PreparedStatement p = c.prepareStatement("INSERT INTO ev (id, d, tm, ts, note) VALUES (?, ?, ?, ?, ?)")) {
                p.setInt(1, 1);
                p.setDate(2, Date.valueOf("2026-03-01"));
                p.setTime(3, Time.valueOf("07:08:09"));
                p.setTimestamp(4, at);
                p.setTimestamp(5, at);
                p.executeUpdate();
                p.setInt(1, 2);
                p.setObject(2, LocalDate.of(2026, 3, 2));
                p.setObject(3, LocalTime.of(7, 8));
                p.setObject(4, OffsetDateTime.parse("2026-03-02T01:00:00-05:00"));
                p.setObject(5, LocalDateTime.of(2026, 3, 2, 6, 0));
                p.executeUpdate();
                p.setInt(1, 3);
                p.setNull(2, Types.DATE);
                p.setNull(3, Types.TIME);
                p.setObject(4, Instant.parse("2026-03-03T00:00:00.5Z"));
                p.setTimestamp(5, at, Calendar.getInstance(TimeZone.getTimeZone("Asia/Tokyo")));
                p.executeUpdate();
            }
            assertEquals("2026-03-01", text(c, "SELECT CAST(d AS TEXT) FROM ev WHERE id = 1"));
            assertEquals("07:08:09", text(c, "SELECT CAST(tm AS TEXT) FROM ev WHERE id = 1"));
            assertEquals("2026-03-01 06:30:15.123", text(c, "SELECT CAST(ts AS TEXT) FROM ev WHERE id = 1"));
            assertEquals("2026-03-01 06:30:15.123456789", text(c, "SELECT note FROM ev WHERE id = 1"));
            assertEquals("2026-03-02", text(c, "SELECT CAST(d AS TEXT) FROM ev WHERE id = 2"));
            assertEquals("07:08:00", text(c, "SELECT CAST(tm AS TEXT) FROM ev WHERE id = 2"));
            assertEquals("2026-03-02 06:00:00", text(c, "SELECT CAST(ts AS TEXT) FROM ev WHERE id = 2"));
            assertEquals("2026-03-02 06:00:00", text(c, "SELECT note FROM ev WHERE id = 2"));
            assertEquals("2026-03-03 00:00:00.500", text(c, "SELECT CAST(ts AS TEXT) FROM ev WHERE id = 3"));
            assertEquals("2026-03-01 15:30:15.123456789", text(c, "SELECT note FROM ev WHERE id = 3"));

            // Round trip, and a Timestamp parameter compares with the column in time order.
            try (PreparedStatement q = c.prepareStatement("SELECT id, ts FROM ev WHERE ts > ? ORDER BY id")) {
                q.setTimestamp(1, Timestamp.from(Instant.parse("2026-03-01T12:00:00Z")));
                try (ResultSet rs = q.executeQuery()) {
                    assertTrue(rs.next());
                    assertEquals(2, rs.getInt(1));
                    assertEquals(Instant.parse("2026-03-02T06:00:00Z"), rs.getTimestamp(2).toInstant());
                    assertTrue(rs.next());
                    assertEquals(3, rs.getInt(1));
                    assertFalse(rs.next());
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT ts FROM ev WHERE id = 1")) {
                assertTrue(rs.next());
                assertEquals(Instant.parse("2026-03-01T06:30:15.123Z"), rs.getTimestamp(1).toInstant());
            }
        }
    }

    @Test
    void metadataTypes() throws Exception {
        try (Connection c = memory(); Statement s = c.createStatement()) {
            s.execute(SCHEMA);
            try (ResultSet rs = s.executeQuery("SELECT d, tm, ts, dt, max(ts) FROM ev")) {
                ResultSetMetaData md = rs.getMetaData();
                assertEquals(Types.DATE, md.getColumnType(1));
                assertEquals(Types.TIME, md.getColumnType(2));
                assertEquals(Types.TIMESTAMP, md.getColumnType(3));
                assertEquals(Types.TIMESTAMP, md.getColumnType(4));
                assertEquals("DATETIME", md.getColumnTypeName(4));
                assertEquals(Timestamp.class.getName(), md.getColumnClassName(3));
                assertEquals(Date.class.getName(), md.getColumnClassName(1));
                assertEquals(Time.class.getName(), md.getColumnClassName(2));
                assertNotEquals(Types.TIMESTAMP, md.getColumnType(5)); // an expression has no declared type
            }
            int[] want = {Types.BIGINT, Types.DATE, Types.TIME, Types.TIMESTAMP, Types.TIMESTAMP, Types.VARCHAR};
            try (ResultSet rs = c.getMetaData().getColumns(null, null, "ev", "%")) {
                for (int w : want) {
                    assertTrue(rs.next());
                    assertEquals(w, rs.getInt("DATA_TYPE"), rs.getString("COLUMN_NAME"));
                }
                assertFalse(rs.next());
            }
        }
    }
}
