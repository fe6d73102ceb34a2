//! Reloading a policy file into a [`SharedPolicy`] when the file changes, with no signal
//! and no restart (feature `watch`).
//!
//! ```no_run
//! use cors_core::watch::{PolicyFileWatcher, Reload};
//! use cors_core::{Policy, SharedPolicy};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let path = "/etc/my-api/cors.toml";
//! let shared = SharedPolicy::new(Policy::from_path(path)?);
//!
//! // Keep the watcher for as long as the file should be watched: dropping it stops.
//! let _watcher = PolicyFileWatcher::start(path, shared.clone(), |reload| match reload {
//!     Reload::Replaced { path, policy } => {
//!         for warning in policy.warnings() {
//!             eprintln!("warning: {warning}");
//!         }
//!         eprintln!("reloaded the CORS policy from {}", path.display());
//!     }
//!     Reload::Refused { error, .. } => {
//!         eprintln!("error: {error}\nerror: kept the previous CORS policy");
//!     }
//!     Reload::WatchFailed { error, .. } => eprintln!("error: {error}"),
//!     _ => {}
//! })?;
//!
//! // Serve with `shared` (for example `cors_axum::CorsLayer::new(shared)`) while
//! // `_watcher` lives.
//! # Ok(())
//! # }
//! ```
//!
//! # What is watched
//! The watcher watches the directory that holds the file, not the file itself, and only
//! that directory (not its subdirectories). The usual ways of changing a file replace
//! it: an editor writes a new file and renames it over the old one, a deployment tool
//! swaps a symlink. A watch on the file itself would stay with the old file and miss
//! the new one. Of the events in the directory, those for the file's name count, and
//! any other event counts only when it changed where the file's path leads (the path
//! resolved through symlinks): that is how a Kubernetes ConfigMap volume updates
//! `policy.toml -> ..data/policy.toml`, by renaming a new `..data` symlink into place.
//! Opening or reading the file is not a change, so the watcher's own reads never set
//! off another reload.
//!
//! Events are debounced ([`DEFAULT_DEBOUNCE`], or
//! [`PolicyFileWatcherBuilder::debounce`]): a save that takes several steps (write a
//! temporary file, rename it, change its mode) is loaded once, when the file has been
//! left alone that long, and a file still being written is not loaded half-way.
//!
//! # What a reload does
//! The file is loaded with the loader (by default [`Policy::from_path`], with the same
//! validation as at startup; [`PolicyFileWatcherBuilder::loader`] takes the
//! application's own). A valid policy replaces the current one of the
//! [`SharedPolicy`] in one atomic swap: requests under way finish with the policy they
//! started with. A file that cannot be read or does not build (invalid, insecure,
//! deleted) changes nothing: the previous policy keeps serving. Either way the callback
//! is told, with a [`Reload`].
//!
//! The loader and the callback run on the watcher's own thread, one reload at a time;
//! a panic in either ends the watching.
//!
//! # Limits
//! - Start the watcher right after loading the first policy: a change made between the
//!   two is seen only with the next change.
//! - When the file is a symlink to a file in another directory, a change of that file
//!   in place (rather than of the symlink) is not seen.
//! - When the directory itself is removed or renamed, the watch ends with it: create
//!   a new watcher.
//! - Watching relies on the platform's file notifications (inotify on Linux, FSEvents
//!   on macOS, `ReadDirectoryChangesW` on Windows); network file systems may send none.

use std::ffi::OsString;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify_debouncer_mini::notify::event::{AccessKind, AccessMode, Event, EventKind};
use notify_debouncer_mini::notify::{
    self, EventHandler, RecommendedWatcher, RecursiveMode, Watcher, WatcherKind,
};
use notify_debouncer_mini::{DebounceEventResult, DebouncedEventKind, Debouncer};

use crate::{ConfigError, Policy, SharedPolicy};

/// How long the file must be left alone before a change is loaded, unless
/// [`PolicyFileWatcherBuilder::debounce`] says otherwise. A reload shows at most about
/// twice this long after the last write.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(200);

type Loader = Box<dyn FnMut(&Path) -> Result<Policy, ConfigError> + Send>;
type Callback = Box<dyn FnMut(Reload<'_>) + Send>;

/// Watches a policy file and loads it into a [`SharedPolicy`] each time it changes (see
/// the [module documentation](self) for what counts as a change). Watching stops when
/// the watcher is dropped; a reload already under way still finishes.
#[must_use = "dropping the watcher stops watching"]
pub struct PolicyFileWatcher {
    path: PathBuf,
    _debouncer: Debouncer<ChangesOnly<RecommendedWatcher>>,
}

impl PolicyFileWatcher {
    /// Watches the policy file at `path`, loads it with [`Policy::from_path`] when it
    /// changes, and replaces the policy of `shared` when it is valid. `on_reload` is
    /// told of every reload, refused ones included.
    ///
    /// The common case of [`PolicyFileWatcher::builder`]; use the builder for a loader
    /// of your own or another debounce.
    ///
    /// # Errors
    /// When the path names no file, its directory does not exist, or the platform
    /// refuses the watch (for example the limit of inotify watches is reached).
    pub fn start(
        path: impl Into<PathBuf>,
        shared: SharedPolicy,
        on_reload: impl FnMut(Reload<'_>) + Send + 'static,
    ) -> Result<Self, WatchError> {
        Self::builder(path, shared).on_reload(on_reload).start()
    }

    /// A watcher of the policy file at `path` for `shared`, to configure before
    /// [`start`](PolicyFileWatcherBuilder::start)ing it. By default it loads with
    /// [`Policy::from_path`], debounces for [`DEFAULT_DEBOUNCE`] and tells no one.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use cors_core::watch::{PolicyFileWatcher, Reload};
    /// use cors_core::{Policy, PolicyConfig, SharedPolicy};
    ///
    /// // The application's own loader: here, diagnostics mode on.
    /// fn load(path: &std::path::Path) -> Result<Policy, cors_core::ConfigError> {
    ///     let builder = PolicyConfig::from_path(path)?.into_builder().diagnostics(true);
    ///     Ok(builder.build()?)
    /// }
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let path = "cors.toml";
    /// let shared = SharedPolicy::new(load(path.as_ref())?);
    /// let watcher = PolicyFileWatcher::builder(path, shared.clone())
    ///     .loader(load)
    ///     .debounce(Duration::from_millis(500))
    ///     .on_reload(|reload| {
    ///         if let Reload::Refused { error, .. } = reload {
    ///             eprintln!("error: {error}");
    ///         }
    ///     })
    ///     .start()?;
    /// # drop(watcher);
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder(path: impl Into<PathBuf>, shared: SharedPolicy) -> PolicyFileWatcherBuilder {
        PolicyFileWatcherBuilder {
            path: path.into(),
            shared,
            loader: Box::new(|path: &Path| Policy::from_path(path)),
            on_reload: Box::new(|_: Reload<'_>| {}),
            debounce: DEFAULT_DEBOUNCE,
        }
    }

    /// The policy file, as it was given.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Debug for PolicyFileWatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyFileWatcher")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// The configuration of a [`PolicyFileWatcher`], from [`PolicyFileWatcher::builder`].
#[must_use = "a builder does nothing until it is started"]
pub struct PolicyFileWatcherBuilder {
    path: PathBuf,
    shared: SharedPolicy,
    loader: Loader,
    on_reload: Callback,
    debounce: Duration,
}

impl PolicyFileWatcherBuilder {
    /// Loads the file with `loader` rather than [`Policy::from_path`]: give it the
    /// loader the application used at startup, so that a reload validates and builds
    /// exactly as the start did. It is called with the path as given to the builder.
    pub fn loader(
        mut self,
        loader: impl FnMut(&Path) -> Result<Policy, ConfigError> + Send + 'static,
    ) -> Self {
        self.loader = Box::new(loader);
        self
    }

    /// Calls `on_reload` after each reload, refused ones included, and when the watch
    /// itself reports an error. It runs on the watcher's thread: keep it short.
    pub fn on_reload(mut self, on_reload: impl FnMut(Reload<'_>) + Send + 'static) -> Self {
        self.on_reload = Box::new(on_reload);
        self
    }

    /// How long the file must be left alone before a change is loaded
    /// ([`DEFAULT_DEBOUNCE`] unless set).
    pub fn debounce(mut self, debounce: Duration) -> Self {
        self.debounce = debounce;
        self
    }

    /// Starts watching. From its return on, every change of the file is seen.
    ///
    /// # Errors
    /// When the path names no file, its directory does not exist, or the platform
    /// refuses the watch (for example the limit of inotify watches is reached).
    pub fn start(self) -> Result<PolicyFileWatcher, WatchError> {
        let PolicyFileWatcherBuilder {
            path,
            shared,
            loader,
            on_reload,
            debounce,
        } = self;
        let Some(name) = path.file_name().map(OsString::from) else {
            return Err(WatchError::new(path, Reason::NoFileName));
        };
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        match std::fs::metadata(&dir) {
            Ok(metadata) if metadata.is_dir() => {}
            Ok(_) => return Err(WatchError::new(path, Reason::NotADirectory(dir))),
            Err(error) => return Err(WatchError::new(path, Reason::Directory(dir, error))),
        }

        let mut reloader = Reloader {
            target: std::fs::canonicalize(&path).ok(),
            path: path.clone(),
            name,
            shared,
            loader,
            on_reload,
        };
        let config = notify_debouncer_mini::Config::default()
            .with_timeout(debounce)
            .with_batch_mode(true);
        let handler = move |result: DebounceEventResult| reloader.handle(result);
        let mut debouncer = notify_debouncer_mini::new_debouncer_opt::<
            _,
            ChangesOnly<RecommendedWatcher>,
        >(config, handler)
        .map_err(|error| WatchError::new(path.clone(), Reason::Notify(error)))?;
        debouncer
            .watcher()
            .watch(&dir, RecursiveMode::NonRecursive)
            .map_err(|error| WatchError::new(path.clone(), Reason::Notify(error)))?;
        Ok(PolicyFileWatcher {
            path,
            _debouncer: debouncer,
        })
    }
}

impl fmt::Debug for PolicyFileWatcherBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PolicyFileWatcherBuilder")
            .field("path", &self.path)
            .field("debounce", &self.debounce)
            .finish_non_exhaustive()
    }
}

/// What a [`PolicyFileWatcher`] tells its callback after the file changed.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Reload<'a> {
    /// The file was loaded and its policy now serves. Its
    /// [`warnings`](Policy::warnings) are worth logging.
    Replaced {
        /// The policy file.
        path: &'a Path,
        /// The new policy.
        policy: &'a Policy,
    },
    /// The file could not be loaded: it is invalid or insecure (the error names each
    /// field at fault), unreadable, or gone. The previous policy keeps serving.
    Refused {
        /// The policy file.
        path: &'a Path,
        /// Why it was refused.
        error: &'a ConfigError,
    },
    /// The platform's file notifications reported an error, so a change may have been
    /// missed. The policy is unchanged; watching goes on if the platform lets it.
    WatchFailed {
        /// The policy file.
        path: &'a Path,
        /// What went wrong.
        error: &'a WatchError,
    },
}

impl<'a> Reload<'a> {
    /// The policy file.
    pub fn path(&self) -> &'a Path {
        match *self {
            Reload::Replaced { path, .. }
            | Reload::Refused { path, .. }
            | Reload::WatchFailed { path, .. } => path,
        }
    }
}

/// Why a policy file cannot be watched. Its message names the file.
#[derive(Debug)]
pub struct WatchError {
    path: PathBuf,
    reason: Reason,
}

#[derive(Debug)]
enum Reason {
    NoFileName,
    Directory(PathBuf, io::Error),
    NotADirectory(PathBuf),
    Notify(notify::Error),
}

impl WatchError {
    fn new(path: PathBuf, reason: Reason) -> Self {
        WatchError { path, reason }
    }

    /// The policy file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl fmt::Display for WatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot watch policy file {}: ", self.path.display())?;
        match &self.reason {
            Reason::NoFileName => f.write_str("the path names no file"),
            Reason::Directory(dir, error) if error.kind() == io::ErrorKind::NotFound => {
                write!(f, "its directory {} does not exist", dir.display())
            }
            Reason::Directory(dir, error) => {
                write!(f, "cannot read its directory {}: {error}", dir.display())
            }
            Reason::NotADirectory(dir) => write!(f, "{} is not a directory", dir.display()),
            Reason::Notify(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for WatchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.reason {
            Reason::Directory(_, error) => Some(error),
            Reason::Notify(error) => Some(error),
            Reason::NoFileName | Reason::NotADirectory(_) => None,
        }
    }
}

/// The state of a watcher, on the debouncer's thread.
struct Reloader {
    /// The policy file, as given.
    path: PathBuf,
    /// Its name in its directory: the events that count.
    name: OsString,
    /// Where the path led (through symlinks) at the last look.
    target: Option<PathBuf>,
    shared: SharedPolicy,
    loader: Loader,
    on_reload: Callback,
}

impl Reloader {
    fn handle(&mut self, result: DebounceEventResult) {
        let events = match result {
            Ok(events) => events,
            Err(error) => {
                let error = WatchError::new(self.path.clone(), Reason::Notify(error));
                (self.on_reload)(Reload::WatchFailed {
                    path: &self.path,
                    error: &error,
                });
                return;
            }
        };
        // `AnyContinuous` means the file is still being written: its `Any` comes later.
        let named = events.iter().any(|event| {
            event.kind == DebouncedEventKind::Any
                && (event.path.file_name() == Some(self.name.as_os_str())
                    || event.path.as_os_str().is_empty())
        });
        let target = std::fs::canonicalize(&self.path).ok();
        let retargeted = target != self.target;
        self.target = target;
        if named || retargeted {
            self.reload();
        }
    }

    fn reload(&mut self) {
        match (self.loader)(&self.path) {
            Ok(policy) => {
                let policy = Arc::new(policy);
                self.shared.replace(Arc::clone(&policy));
                (self.on_reload)(Reload::Replaced {
                    path: &self.path,
                    policy: &policy,
                });
            }
            Err(error) => (self.on_reload)(Reload::Refused {
                path: &self.path,
                error: &error,
            }),
        }
    }
}

/// The platform's watcher without the events of merely reading a file. inotify reports
/// every open, the watcher's own read of the policy included, and the debouncer passes
/// on no event kinds, so without this filter each reload would set off the next one.
/// A "rescan" event (the platform lost events, such as an inotify queue overflow) is
/// passed on with the empty path, which [`Reloader::handle`] takes as a change of the
/// file.
struct ChangesOnly<W>(W);

impl<W: Watcher> Watcher for ChangesOnly<W> {
    fn new<F: EventHandler>(mut event_handler: F, config: notify::Config) -> notify::Result<Self> {
        let filter = move |event: notify::Result<Event>| match event {
            Ok(event) if event.need_rescan() => {
                event_handler.handle_event(Ok(event.add_path(PathBuf::new())));
            }
            Ok(event) if is_read(&event.kind) => {}
            other => event_handler.handle_event(other),
        };
        W::new(filter, config).map(ChangesOnly)
    }

    fn watch(&mut self, path: &Path, recursive_mode: RecursiveMode) -> notify::Result<()> {
        self.0.watch(path, recursive_mode)
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        self.0.unwatch(path)
    }

    fn configure(&mut self, option: notify::Config) -> notify::Result<bool> {
        self.0.configure(option)
    }

    fn kind() -> WatcherKind {
        W::kind()
    }
}

/// An access that changes nothing: every one but closing a file written to.
fn is_read(kind: &EventKind) -> bool {
    matches!(kind, EventKind::Access(access) if *access != AccessKind::Close(AccessMode::Write))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Instant;

    /// How long a change may take to show before a test fails.
    const PATIENCE: Duration = Duration::from_secs(5);
    /// Short, so that the tests are quick; the behaviour is the same.
    const DEBOUNCE: Duration = Duration::from_millis(50);

    const A: &str = "allow_origins = [\"https://a.example\"]\n";
    const B: &str = "allow_origins = [\"https://b.example\"]\n";
    const C: &str = "allow_origins = [\"https://c.example\"]\n";
    /// Two problems, two fields.
    const INVALID: &str = "allow_origins = [\"https://b.example/\"]\nmax_age = 100000\n";

    /// What the callback was told, owned.
    #[derive(Debug, Clone, PartialEq)]
    enum Seen {
        Replaced,
        Refused {
            fields: Vec<String>,
            unreadable: bool,
            message: String,
        },
        WatchFailed(String),
    }

    #[derive(Clone, Default)]
    struct Log(Arc<Mutex<Vec<Seen>>>);

    impl Log {
        fn callback(&self) -> impl FnMut(Reload<'_>) + Send + 'static {
            let log = self.clone();
            move |reload| {
                let seen = match reload {
                    Reload::Replaced { .. } => Seen::Replaced,
                    Reload::Refused { error, .. } => Seen::Refused {
                        fields: error
                            .policy_error()
                            .map(|e| e.problems().iter().map(|p| p.field.clone()).collect())
                            .unwrap_or_default(),
                        unreadable: matches!(error, ConfigError::Io { .. }),
                        message: error.to_string(),
                    },
                    Reload::WatchFailed { error, .. } => Seen::WatchFailed(error.to_string()),
                };
                log.0.lock().expect("not poisoned").push(seen);
            }
        }

        fn seen(&self) -> Vec<Seen> {
            self.0.lock().expect("not poisoned").clone()
        }
    }

    /// A fresh directory of its own for each test, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("cors-core-watch-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("a temporary directory");
            TempDir(dir)
        }

        fn write(&self, name: &str, text: &str) -> PathBuf {
            let file = self.0.join(name);
            std::fs::write(&file, text).expect("written");
            file
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn allows(shared: &SharedPolicy, origin: &str) -> bool {
        shared.load().allows_origin(origin.as_bytes())
    }

    /// Retries `check` until it holds, or fails the test after [`PATIENCE`].
    fn eventually(what: &str, check: impl Fn() -> bool) {
        let start = Instant::now();
        while !check() {
            assert!(
                start.elapsed() < PATIENCE,
                "not within {PATIENCE:?}: {what}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn start(file: &Path, shared: &SharedPolicy, log: &Log) -> PolicyFileWatcher {
        PolicyFileWatcher::builder(file, shared.clone())
            .debounce(DEBOUNCE)
            .on_reload(log.callback())
            .start()
            .expect("the watch starts")
    }

    #[test]
    fn a_rewritten_file_replaces_the_policy_once() {
        let dir = TempDir::new("rewrite");
        let file = dir.write("policy.toml", A);
        let shared = SharedPolicy::new(Policy::from_path(&file).expect("valid"));
        let log = Log::default();
        // The convenience constructor, with its default debounce.
        let watcher = PolicyFileWatcher::start(&file, shared.clone(), log.callback())
            .expect("the watch starts");
        assert_eq!(watcher.path(), file);

        dir.write("policy.toml", B);
        eventually("b.example allowed", || allows(&shared, "https://b.example"));
        assert!(!allows(&shared, "https://a.example"));
        eventually("the callback told", || log.seen() == [Seen::Replaced]);

        // The reload read the file; reading is no change, so no second reload follows.
        // Proving that something does not happen takes a wait: several debounce
        // periods, well past the delivery of any event the reload could have caused.
        std::thread::sleep(DEFAULT_DEBOUNCE * 5);
        assert_eq!(log.seen(), [Seen::Replaced]);
    }

    #[test]
    fn an_invalid_file_is_refused_and_the_old_policy_keeps_serving() {
        let dir = TempDir::new("invalid");
        let file = dir.write("policy.toml", A);
        let shared = SharedPolicy::new(Policy::from_path(&file).expect("valid"));
        let log = Log::default();
        let _watcher = start(&file, &shared, &log);

        dir.write("policy.toml", INVALID);
        eventually("the refusal told", || !log.seen().is_empty());
        match &log.seen()[..] {
            [Seen::Refused {
                fields, message, ..
            }] => {
                assert_eq!(fields, &["allow_origins[0]", "max_age"], "{message}");
                assert!(message.contains("policy.toml"), "{message}");
            }
            other => panic!("expected one refusal, saw {other:?}"),
        }
        assert!(allows(&shared, "https://a.example"));
        assert!(!allows(&shared, "https://b.example"));

        // Fixing the file is the next change.
        dir.write("policy.toml", B);
        eventually("b.example allowed", || allows(&shared, "https://b.example"));
        eventually("the callback told", || log.seen().len() == 2);
        assert_eq!(log.seen()[1], Seen::Replaced);
    }

    #[test]
    fn a_file_renamed_into_place_is_loaded_with_the_callers_loader() {
        let dir = TempDir::new("rename");
        let file = dir.write("policy.toml", A);
        let shared = SharedPolicy::new(Policy::from_path(&file).expect("valid"));
        let log = Log::default();
        let loaded = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&loaded);
        let _watcher = PolicyFileWatcher::builder(&file, shared.clone())
            .debounce(DEBOUNCE)
            .loader(move |path: &Path| {
                record.lock().expect("not poisoned").push(path.to_owned());
                Policy::from_path(path)
            })
            .on_reload(log.callback())
            .start()
            .expect("the watch starts");

        // What editors do: write a new file beside it, then rename it over the old one.
        let temporary = dir.write(".policy.toml.swp", B);
        std::fs::rename(&temporary, &file).expect("renamed");
        eventually("b.example allowed", || allows(&shared, "https://b.example"));
        eventually("the callback told", || log.seen() == [Seen::Replaced]);
        assert_eq!(
            *loaded.lock().expect("not poisoned"),
            std::slice::from_ref(&file)
        );

        // A second replacement works as well as the first: the watch was on the
        // directory, not on the file that was replaced.
        let temporary = dir.write(".policy.toml.swp", C);
        std::fs::rename(&temporary, &file).expect("renamed");
        eventually("c.example allowed", || allows(&shared, "https://c.example"));
    }

    #[test]
    fn other_files_in_the_directory_do_not_count() {
        let dir = TempDir::new("others");
        let file = dir.write("policy.toml", A);
        let shared = SharedPolicy::new(Policy::from_path(&file).expect("valid"));
        let log = Log::default();
        let _watcher = start(&file, &shared, &log);

        // A neighbour with the same policy as the file will get, then the file: only
        // the file's change must be loaded.
        dir.write("other.toml", B);
        dir.write("policy.toml", C);
        eventually("c.example allowed", || allows(&shared, "https://c.example"));
        eventually("the callback told", || !log.seen().is_empty());
        assert_eq!(log.seen(), [Seen::Replaced]);
    }

    #[test]
    fn a_deleted_file_is_reported_and_the_policy_kept() {
        let dir = TempDir::new("deleted");
        let file = dir.write("policy.toml", A);
        let shared = SharedPolicy::new(Policy::from_path(&file).expect("valid"));
        let log = Log::default();
        let _watcher = start(&file, &shared, &log);

        std::fs::remove_file(&file).expect("removed");
        eventually("the refusal told", || !log.seen().is_empty());
        match &log.seen()[..] {
            [Seen::Refused { unreadable, .. }] => assert!(unreadable),
            other => panic!("expected one refusal, saw {other:?}"),
        }
        assert!(allows(&shared, "https://a.example"));

        // Created again, it is loaded again.
        dir.write("policy.toml", B);
        eventually("b.example allowed", || allows(&shared, "https://b.example"));
    }

    /// The layout of a Kubernetes ConfigMap volume: `policy.toml -> ..data/policy.toml`,
    /// `..data -> ..v1`, updated by renaming a new `..data` symlink over the old one.
    /// No event names `policy.toml`.
    #[cfg(unix)]
    #[test]
    fn a_swapped_symlink_is_followed() {
        use std::os::unix::fs::symlink;

        let dir = TempDir::new("symlink");
        std::fs::create_dir(dir.0.join("..v1")).expect("created");
        dir.write("..v1/policy.toml", A);
        symlink("..v1", dir.0.join("..data")).expect("linked");
        symlink("..data/policy.toml", dir.0.join("policy.toml")).expect("linked");
        let file = dir.0.join("policy.toml");
        let shared = SharedPolicy::new(Policy::from_path(&file).expect("valid"));
        let log = Log::default();
        let _watcher = start(&file, &shared, &log);

        std::fs::create_dir(dir.0.join("..v2")).expect("created");
        dir.write("..v2/policy.toml", B);
        symlink("..v2", dir.0.join("..data_tmp")).expect("linked");
        std::fs::rename(dir.0.join("..data_tmp"), dir.0.join("..data")).expect("renamed");
        eventually("b.example allowed", || allows(&shared, "https://b.example"));
        eventually("the callback told", || log.seen() == [Seen::Replaced]);
    }

    #[test]
    fn dropping_the_watcher_stops_watching() {
        let dir = TempDir::new("dropped");
        let file = dir.write("policy.toml", A);
        let shared = SharedPolicy::new(Policy::from_path(&file).expect("valid"));
        let log = Log::default();
        let watcher = start(&file, &shared, &log);
        dir.write("policy.toml", B);
        eventually("b.example allowed", || allows(&shared, "https://b.example"));

        drop(watcher);
        dir.write("policy.toml", C);
        // Again a wait to show that nothing happens: many times the debounce period
        // that made the change before the drop show.
        std::thread::sleep(DEBOUNCE * 20);
        assert!(allows(&shared, "https://b.example"));
        assert!(!allows(&shared, "https://c.example"));
        assert_eq!(log.seen(), [Seen::Replaced]);
    }

    #[test]
    fn the_watcher_and_its_builder_can_move_to_another_thread() {
        fn send<T: Send>() {}
        fn sync<T: Sync>() {}
        send::<PolicyFileWatcher>();
        sync::<PolicyFileWatcher>();
        send::<PolicyFileWatcherBuilder>();
        send::<WatchError>();
        sync::<WatchError>();
    }

    #[test]
    fn a_watch_that_cannot_be_set_up_is_an_error_naming_the_file() {
        let dir = TempDir::new("errors");
        let shared = SharedPolicy::new(Policy::from_toml_str(A).expect("valid"));

        let file = dir.0.join("missing").join("policy.toml");
        let error = PolicyFileWatcher::start(&file, shared.clone(), |_| {}).unwrap_err();
        assert_eq!(error.path(), file);
        let message = error.to_string();
        assert!(
            message.starts_with("cannot watch policy file "),
            "{message}"
        );
        assert!(message.contains(&file.display().to_string()), "{message}");
        assert!(message.contains("does not exist"), "{message}");
        assert!(std::error::Error::source(&error).is_some());

        let not_a_dir = dir.write("plain", "");
        let error = PolicyFileWatcher::start(not_a_dir.join("policy.toml"), shared.clone(), |_| {})
            .unwrap_err();
        assert!(error.to_string().contains("is not a directory"), "{error}");

        let error = PolicyFileWatcher::start("/", shared, |_| {}).unwrap_err();
        assert!(error.to_string().contains("names no file"), "{error}");
    }

    #[test]
    fn a_file_that_does_not_exist_yet_is_loaded_once_created() {
        let dir = TempDir::new("later");
        let file = dir.0.join("policy.toml");
        let shared = SharedPolicy::new(Policy::from_toml_str(A).expect("valid"));
        let log = Log::default();
        let _watcher = start(&file, &shared, &log);

        dir.write("policy.toml", B);
        eventually("b.example allowed", || allows(&shared, "https://b.example"));
        assert!(log
            .seen()
            .iter()
            .all(|seen| !matches!(seen, Seen::WatchFailed(_))));
    }
}
