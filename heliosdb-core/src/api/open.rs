//! What [`Connection::open`] and [`Connection::open_with_config`] accept:
//! the product's documents open a database from a path, a [`Config`], or a
//! configuration file, and both calls take any of them.
//!
//! [`Connection::open`]: super::Connection::open
//! [`Connection::open_with_config`]: super::Connection::open_with_config

use crate::config::Config;
use crate::error::Result;
use std::path::{Path, PathBuf};

/// Where to open a database, with which settings: the argument of
/// [`Connection::open`](super::Connection::open).
///
/// Implemented for anything that is a path (`&str`, `String`, `&Path`,
/// `PathBuf`, a `TempDir`, …: default settings) and for [`Config`] (its
/// `database.path` names the directory).
pub trait OpenTarget {
    /// The directory (`None`: the configuration's `database.path`) and the
    /// settings (`None`: the defaults).
    fn into_target(self) -> (Option<PathBuf>, Option<Config>);
}

impl<P: AsRef<Path>> OpenTarget for P {
    fn into_target(self) -> (Option<PathBuf>, Option<Config>) {
        (Some(self.as_ref().to_path_buf()), None)
    }
}

impl OpenTarget for Config {
    fn into_target(self) -> (Option<PathBuf>, Option<Config>) {
        (None, Some(self))
    }
}

impl OpenTarget for &Config {
    fn into_target(self) -> (Option<PathBuf>, Option<Config>) {
        (None, Some(self.clone()))
    }
}

/// A configuration given by value or by file: the argument of
/// [`Connection::open_with_config`](super::Connection::open_with_config).
///
/// Implemented for [`Config`] and for paths, read with [`Config::from_file`]
/// (`heliosdb.toml`, or JSON of the same structure).
pub trait IntoConfig {
    /// The configuration.
    ///
    /// # Errors
    /// As [`Config::from_file`] for a path.
    fn into_config(self) -> Result<Config>;
}

impl<P: AsRef<Path>> IntoConfig for P {
    fn into_config(self) -> Result<Config> {
        Config::from_file(self)
    }
}

impl IntoConfig for Config {
    fn into_config(self) -> Result<Config> {
        Ok(self)
    }
}

impl IntoConfig for &Config {
    fn into_config(self) -> Result<Config> {
        Ok(self.clone())
    }
}
