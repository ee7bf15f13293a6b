//! The interactive shell in a real terminal (tmux), typed at as a user
//! would: a statement over several lines, history recall with the Up key,
//! `.mode` and `.timer`, and Ctrl-C stopping a long query while the shell
//! stays open. CI installs tmux.

use std::process::Command;
use std::time::{Duration, Instant};

/// One tmux server (its own socket) running the shell in one window.
struct Terminal {
    socket: String,
    _home: tempfile::TempDir,
}

impl Terminal {
    fn start(db: &str) -> Terminal {
        let home = tempfile::tempdir().unwrap();
        let socket = format!("heliosdb-test-{}-{}", std::process::id(), db.len());
        let cmd = format!("HOME={} TERM=xterm {} {}", home.path().display(), env!("CARGO_BIN_EXE_heliosdb"), db);
        let t = Terminal { socket, _home: home };
        t.tmux(&["new-session", "-d", "-x", "160", "-y", "50", &cmd]);
        t.wait_for("heliosdb>");
        t
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("run tmux (install it)");
        assert!(out.status.success(), "tmux {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits for an empty prompt (`heliosdb>` or `...>` on the last line),
    /// as a user does before typing: keys sent while the shell is between
    /// two prompts can be lost when the line editor resets the terminal.
    fn wait_idle(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            let last = s.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
            if last == "heliosdb>" || last == "...>" {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for a prompt; screen:\n{s}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types `line` and Enter once the shell shows an empty prompt. (tmux
    /// reads a trailing `;` as its own command separator, so it is sent escaped.)
    fn type_line(&self, line: &str) {
        self.wait_idle();
        let (body, semi) = match line.strip_suffix(';') {
            Some(b) => (b, true),
            None => (line, false),
        };
        if !body.is_empty() {
            self.tmux(&["send-keys", "-l", body]);
        }
        if semi {
            self.tmux(&["send-keys", "\\;"]);
        }
        self.key("Enter");
    }

    fn key(&self, k: &str) {
        self.tmux(&["send-keys", k]);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-S", "-200"])
    }

    /// Waits until the screen shows `text` `times` times; returns the screen.
    fn wait_count(&self, text: &str, times: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if s.matches(text).count() >= times {
                return s;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {text:?} x{times}; screen:\n{s}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for(&self, text: &str) -> String {
        self.wait_count(text, 1)
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = Command::new("tmux").arg("-L").arg(&self.socket).arg("kill-server").output();
    }
}

#[test]
fn typing_history_modes_timer_and_ctrl_c() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let t = Terminal::start(db.to_str().unwrap());

    // A statement over three lines: continuation prompts, one result.
    t.type_line("CREATE TABLE t (a INTEGER,");
    t.wait_for("...>");
    t.type_line("  b TEXT);");
    t.type_line("INSERT INTO t VALUES (1, 'one'),");
    t.type_line("(2, 'two');");
    t.type_line(".mode box");
    t.type_line("SELECT a, b FROM t ORDER BY a;");
    t.wait_for("│ 2 │ two │");

    // Up recalls the last statement; Enter runs it again.
    t.type_line(".mode csv");
    t.wait_idle();
    t.key("Up");
    t.key("Up");
    t.wait_count("heliosdb> SELECT a, b FROM t ORDER BY a;", 2);
    t.key("Enter");
    t.wait_for("2,two");

    // .timer reports time and peak memory.
    t.type_line(".timer on");
    t.type_line("SELECT count(*) FROM t;");
    let s = t.wait_for("Run Time: real ");
    assert!(s.contains(" peak "), "{s}");

    // Ctrl-C stops a long query; the shell stays and answers the next one.
    t.type_line(".timer off");
    t.type_line("SELECT count(*) FROM generate_series(1, 1000000000000);");
    std::thread::sleep(Duration::from_millis(500));
    t.key("C-c");
    t.wait_for("interrupted");
    t.type_line("SELECT 'still here';");
    t.wait_for("still here\n");
    t.type_line(".quit");
}
