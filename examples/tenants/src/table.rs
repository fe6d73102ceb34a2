//! The tenants' origins in a SQLite table, as an `OriginLookup`.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use cors_core::{LookupFuture, OriginLookup};
use rusqlite::{params, Connection};

/// The table `tenant_origins (origin TEXT PRIMARY KEY)`: one row per allowed origin,
/// in the form browsers send (`https://shop.customer.example`). A cheap handle: clones
/// share the connection and the query count.
#[derive(Clone)]
pub struct TenantTable {
    db: Arc<Mutex<Connection>>,
    queries: Arc<AtomicU64>,
}

impl TenantTable {
    /// Opens (or creates) the database file and its table.
    pub fn open(path: impl AsRef<Path>) -> rusqlite::Result<Self> {
        Self::with(Connection::open(path)?)
    }

    /// A database in memory, for tests and benchmarks.
    pub fn in_memory() -> rusqlite::Result<Self> {
        Self::with(Connection::open_in_memory()?)
    }

    fn with(db: Connection) -> rusqlite::Result<Self> {
        db.execute(
            "CREATE TABLE IF NOT EXISTS tenant_origins (origin TEXT PRIMARY KEY)",
            [],
        )?;
        Ok(TenantTable {
            db: Arc::new(Mutex::new(db)),
            queries: Arc::default(),
        })
    }

    /// Adds a tenant's origin (no effect if it is there).
    pub fn add(&self, origin: &str) -> rusqlite::Result<()> {
        self.connection().execute(
            "INSERT OR IGNORE INTO tenant_origins (origin) VALUES (?1)",
            params![origin],
        )?;
        Ok(())
    }

    /// Removes a tenant's origin.
    pub fn remove(&self, origin: &str) -> rusqlite::Result<()> {
        self.connection().execute(
            "DELETE FROM tenant_origins WHERE origin = ?1",
            params![origin],
        )?;
        Ok(())
    }

    /// How many rows the table has.
    pub fn len(&self) -> rusqlite::Result<u64> {
        let rows: i64 =
            self.connection()
                .query_row("SELECT COUNT(*) FROM tenant_origins", [], |row| row.get(0))?;
        Ok(rows.unsigned_abs())
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> rusqlite::Result<bool> {
        Ok(self.len()? == 0)
    }

    /// How many lookups reached the database since it was opened.
    pub fn queries(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }

    /// Whether `origin` has a row. A database error refuses the origin (and is logged):
    /// the browser then blocks that one response, which is safer than allowing it.
    /// A query that was `abandoned` while it waited for the connection is skipped.
    fn contains(&self, origin: &str, abandoned: &AtomicBool) -> bool {
        let connection = self.connection();
        if abandoned.load(Ordering::Relaxed) {
            return false;
        }
        self.queries.fetch_add(1, Ordering::Relaxed);
        let found = connection.query_row(
            "SELECT EXISTS (SELECT 1 FROM tenant_origins WHERE origin = ?1)",
            params![origin],
            |row| row.get(0),
        );
        found.unwrap_or_else(|error| {
            tracing::error!(origin, %error, "tenant lookup failed; the origin is refused");
            false
        })
    }

    fn connection(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves the connection usable: SQLite rolls
        // back what was not committed.
        self.db
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl OriginLookup for TenantTable {
    fn allows<'a>(&'a self, origin: &'a str) -> LookupFuture<'a> {
        let table = self.clone();
        let origin = origin.to_owned();
        Box::pin(async move {
            // SQLite blocks: keep it off the threads that serve requests. When the
            // hardened lookup gives up on this query (its time budget), the future is
            // dropped but the blocking task is not: the guard tells it to skip the query,
            // so that a backlog of abandoned queries never reaches the database.
            let abandoned = Abandoned::default();
            let flag = Arc::clone(&abandoned.0);
            let query = tokio::task::spawn_blocking(move || table.contains(&origin, &flag));
            // Dropping the guard once the answer is in sets a flag no one reads any more.
            query.await.unwrap_or(false)
        })
    }
}

/// Sets its flag when the future that asked for a query is dropped.
#[derive(Default)]
struct Abandoned(Arc<AtomicBool>);

impl Drop for Abandoned {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for TenantTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantTable")
            .field("queries", &self.queries())
            .finish_non_exhaustive()
    }
}
