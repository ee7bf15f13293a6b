//! Where results go: standard output, or a file chosen with `.output FILE`
//! (until `.output` again) or `.once FILE` (for the next statement only).

use std::fs::File;
use std::io::{BufWriter, Write};

/// The shell's current output destination.
pub struct Sink {
    file: Option<(String, BufWriter<File>)>,
    once: bool,
}

impl Sink {
    /// Standard output.
    pub fn stdout() -> Sink {
        Sink { file: None, once: false }
    }

    /// Sends output to `path` (created or truncated); `once` returns to
    /// standard output after the next statement or command.
    ///
    /// # Errors
    /// The file cannot be created.
    pub fn redirect(&mut self, path: &str, once: bool) -> Result<(), String> {
        self.close();
        let f = File::create(path).map_err(|e| format!("cannot open \"{path}\": {e}"))?;
        self.file = Some((path.to_string(), BufWriter::new(f)));
        self.once = once;
        Ok(())
    }

    /// Back to standard output, flushing and closing any file.
    pub fn close(&mut self) {
        if let Some((_, mut f)) = self.file.take() {
            let _ = f.flush();
        }
        self.once = false;
    }

    /// Called after each statement or command: ends a `.once`.
    pub fn statement_done(&mut self) {
        if self.once {
            self.close();
        } else {
            let _ = self.flush();
        }
    }

    /// What `.show` prints for `output`.
    pub fn describe(&self) -> &str {
        self.file.as_ref().map_or("stdout", |(p, _)| p.as_str())
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some((_, f)) => f.write(buf),
            None => std::io::stdout().write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some((_, f)) => f.flush(),
            None => std::io::stdout().flush(),
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.close();
    }
}
