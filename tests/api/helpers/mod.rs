use leptos::config::LeptosOptions;
use orgdesk::auth::{
    AccountKind,
    repo::{self, NewAccount},
};
use orgdesk::server::{config::Config, startup, state::AppState};
use sqlx::PgPool;
use std::{
    alloc::{GlobalAlloc, Layout, System},
    collections::HashMap,
    io::Write,
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
};
use uuid::Uuid;

/// The name of the session cookie over plain http.
pub const SESSION_COOKIE: &str = "orgdesk_session";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The server's password hasher, to count the work a request caused
    /// (not kept for a server on a runtime of its own).
    hasher: Option<orgdesk::auth::password::Hasher>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// The server's state, for running its background jobs from a test
    /// (not kept for a server on a runtime of its own).
    state: Option<AppState>,
    /// Resolves once a server on its own runtime has stopped and closed its pool.
    stopped: Option<tokio::sync::oneshot::Receiver<()>>,
}

impl TestApp {
    /// The server's state.
    ///
    /// # Panics
    /// For a server started with [`spawn_app_logging_to`].
    pub fn state(&self) -> &AppState {
        self.state
            .as_ref()
            .expect("a server sharing the test's runtime")
    }

    /// The server's password hasher.
    ///
    /// # Panics
    /// For a server started with [`spawn_app_logging_to`].
    pub fn hasher(&self) -> &orgdesk::auth::password::Hasher {
        self.hasher
            .as_ref()
            .expect("the hasher of an app on the test's runtime")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_with_language(&self, path: &str, accept_language: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .header("accept-language", accept_language)
            .send()
            .await
            .expect("request")
    }

    /// POSTs `form` url-encoded, as a server function call from a non-browser client.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.post_form_as(path, form, None).await
    }

    /// POSTs `form` with the session cookie `session`, when given.
    pub async fn post_form_as(
        &self,
        path: &str,
        form: &[(&str, &str)],
        session: Option<&str>,
    ) -> reqwest::Response {
        let mut req = self.client.post(self.url(path)).form(form);
        if let Some(id) = session {
            req = req.header("cookie", format!("{SESSION_COOKIE}={id}"));
        }
        req.send().await.expect("request")
    }

    /// Stops the server and waits until it has let go of the database.
    pub async fn stop(mut self) {
        drop(self.shutdown.take());
        if let Some(stopped) = self.stopped.take() {
            let _ = stopped.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.shutdown.take());
    }
}

/// What a response did to the session cookie: `None` when it left it alone,
/// `Some(None)` when it removed it, `Some(Some(id))` when it set it.
pub fn session_cookie(res: &reqwest::Response) -> Option<Option<String>> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.strip_prefix(SESSION_COOKIE)?.strip_prefix('='))
        .map(|v| {
            let value = v.split(';').next().unwrap_or_default().trim();
            let removed = value.is_empty() || v.to_ascii_lowercase().contains("max-age=0");
            (!removed).then(|| value.to_owned())
        })
        .next_back()
}

mod browser;
mod calls;
pub use browser::{Answer, Browser};

/// Starts the real router on 127.0.0.1:0 over `db`.
pub async fn spawn_app(db: PgPool) -> TestApp {
    spawn_app_with(db, &[]).await
}

fn config(address: &str, vars: &[(&'static str, &str)]) -> Config {
    let mut map: HashMap<&'static str, String> = HashMap::from([
        ("DATABASE_URL", "postgres://unused-in-tests".to_string()),
        ("PUBLIC_BASE_URL", address.to_string()),
        (
            "DATA_DIR",
            std::env::temp_dir()
                .join(format!("orgdesk-test-{}", uuid::Uuid::now_v7()))
                .display()
                .to_string(),
        ),
    ]);
    map.extend(vars.iter().map(|(k, v)| (*k, v.to_string())));
    Config::from_lookup(|k| map.get(k).cloned()).expect("config")
}

/// Leptos' settings of a test server on `port`.
fn leptos_options(port: u16) -> LeptosOptions {
    leptos_options_at(port, "target/site")
}

fn leptos_options_at(port: u16, site_root: &str) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("orgdesk")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(SocketAddr::from(([127, 0, 0, 1], port)))
        .build()
}

async fn state(db: PgPool, options: LeptosOptions, config: Config) -> AppState {
    // A state that cannot load (keys, document store) fails the test: no
    // silent fallback to keys of the harness's own.
    AppState::load(options, db, config)
        .await
        .expect("the server state loads")
}

/// The state of a server whose database is down (the keys are made up:
/// nothing reaches the database anyway).
fn state_without_database(db: PgPool, port: u16, config: Config) -> AppState {
    AppState::with_parts(
        leptos_options(port),
        db,
        config.clone(),
        orgdesk::codes::CodeService::with_keys(
            [7; 32],
            [6; 32],
            config.codes.clone(),
            config.outbox_max_attempts,
        ),
        orgdesk::auth::totp::SecondFactorKeys::from_keys([8; 32], [9; 32]),
    )
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Like [`spawn_app`], with extra configuration variables, e.g.
/// `&[("AUTH_LOCK_AFTER", "4")]`.
pub async fn spawn_app_with(db: PgPool, vars: &[(&'static str, &str)]) -> TestApp {
    spawn_app_at(db, vars, "target/site").await
}

async fn spawn_app_at(db: PgPool, vars: &[(&'static str, &str)], site_root: &str) -> TestApp {
    let listener = startup::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let port = listener.local_addr().unwrap().port();
    let address = format!("http://127.0.0.1:{port}");
    let state = state(
        db,
        leptos_options_at(port, site_root),
        config(&address, vars),
    )
    .await;
    serve_state(listener, address, state)
}

/// Like [`spawn_app`], serving the front end's files from `site_root`.
pub async fn spawn_app_with_site(db: PgPool, site_root: &str) -> TestApp {
    spawn_app_at(db, &[], site_root).await
}

/// The app on a database that does not answer (see [`unreachable_pool`]).
pub async fn spawn_app_without_database() -> TestApp {
    let listener = startup::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("bind");
    let port = listener.local_addr().unwrap().port();
    let address = format!("http://127.0.0.1:{port}");
    let state = state_without_database(unreachable_pool(), port, config(&address, &[]));
    serve_state(listener, address, state)
}

fn serve_state(listener: tokio::net::TcpListener, address: String, state: AppState) -> TestApp {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let hasher = Some(state.hasher.clone());
    let kept = Some(state.clone());
    tokio::spawn(startup::serve(
        listener,
        startup::router(state),
        async move {
            let _ = rx.await;
        },
    ));
    TestApp {
        address,
        client: client(),
        hasher,
        shutdown: Some(tx),
        state: kept,
        stopped: None,
    }
}

/// Starts the app on a runtime of its own whose every thread logs to
/// `logs`, so that nothing the server writes escapes the capture. It opens
/// its own pool on `db`'s database; call [`TestApp::stop`] before the test ends.
pub async fn spawn_app_logging_to(
    db: &PgPool,
    vars: &[(&'static str, &str)],
    logs: tracing::Dispatch,
) -> TestApp {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let address = format!("http://127.0.0.1:{port}");
    let config = config(&address, vars);
    let connect = (*db.connect_options()).clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (stopped_tx, stopped_rx) = tokio::sync::oneshot::channel::<()>();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<()>();
    // tracing takes a lone registered dispatcher for the global one, and would
    // then cache callsites first hit by other tests' threads as disabled;
    // with a second one registered it asks every dispatcher instead.
    let second = tracing::Dispatch::new(tracing_subscriber::registry());
    std::thread::spawn(move || {
        let _second = second;
        let _main = tracing::dispatcher::set_default(&logs);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .on_thread_start(move || {
                // Lives as long as the thread.
                std::mem::forget(tracing::dispatcher::set_default(&logs));
            })
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let db = sqlx::postgres::PgPoolOptions::new()
                .max_connections(5)
                .connect_with(connect)
                .await
                .expect("pool");
            let state = state(db.clone(), leptos_options(port), config).await;
            // The delivery worker runs as in `orgdesk serve`: its lines are
            // captured too.
            let worker = orgdesk::server::state::outbox_worker(
                &state.config,
                &db,
                state.codes.outbox_sealer(),
            )
            .expect("the delivery worker");
            let (stop, stopped) = tokio::sync::watch::channel(false);
            let worker = tokio::spawn(worker.run(stopped));
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let _ = ready_tx.send(());
            let _ = startup::serve(listener, startup::router(state), async move {
                let _ = rx.await;
            })
            .await;
            let _ = stop.send(true);
            let _ = worker.await;
            db.close().await;
        });
        drop(runtime);
        let _ = stopped_tx.send(());
    });
    ready_rx.await.expect("server started");
    TestApp {
        address,
        client: client(),
        hasher: None,
        shutdown: Some(tx),
        state: None,
        stopped: Some(stopped_rx),
    }
}

/// The process's heap, counted, so that a test can see how much memory is
/// really in use at the peak (the resident size also counts what the
/// allocator keeps for reuse).
struct CountingAllocator;

static HEAP_IN_USE: AtomicUsize = AtomicUsize::new(0);
static HEAP_PEAK: AtomicUsize = AtomicUsize::new(0);

impl CountingAllocator {
    fn grew(by: usize) {
        let now = HEAP_IN_USE.fetch_add(by, Ordering::Relaxed) + by;
        HEAP_PEAK.fetch_max(now, Ordering::Relaxed);
    }

    fn shrank(by: usize) {
        HEAP_IN_USE.fetch_sub(by, Ordering::Relaxed);
    }
}

// SAFETY: every call is passed on to the system allocator unchanged.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            Self::grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            Self::grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        Self::shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            if new_size >= layout.size() {
                Self::grew(new_size - layout.size());
            } else {
                Self::shrank(layout.size() - new_size);
            }
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Bytes on the heap now; also starts a new peak from here.
pub fn heap_in_use_and_reset_peak() -> usize {
    let now = HEAP_IN_USE.load(Ordering::Relaxed);
    HEAP_PEAK.store(now, Ordering::Relaxed);
    now
}

/// The most bytes on the heap at once since the last reset (of the whole
/// process: tests running at the same time count too).
pub fn heap_peak() -> usize {
    HEAP_PEAK.load(Ordering::Relaxed)
}

/// Log lines written by everything that logs to it, at every level.
#[derive(Clone, Default)]
pub struct CapturedLogs(Arc<Mutex<Vec<u8>>>);

impl Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl CapturedLogs {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// A subscriber that writes every event and span, without timestamps
    /// (their digits would look like codes).
    pub fn dispatch(&self) -> tracing::Dispatch {
        let out = self.clone();
        tracing::Dispatch::new(
            tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_writer(move || out.clone())
                .with_ansi(false)
                .without_time()
                .finish(),
        )
    }
}

/// Rows `sql` counts for the organisation `org` (bound as `$1`).
pub async fn count(db: &PgPool, sql: &str, org: Uuid) -> i64 {
    sqlx::query_scalar(sql)
        .bind(org)
        .fetch_one(db)
        .await
        .expect("count")
}

/// An organisation that does not require two factors of its
/// administrators, and its super administrator `email`, signed in with
/// `password` in a new browser.
pub async fn signed_in_admin<'a>(
    app: &'a TestApp,
    db: &PgPool,
    org_name: &str,
    email: &str,
    password: &str,
) -> (Browser<'a>, Uuid) {
    let org = seed_organisation(db, org_name).await;
    sqlx::query("UPDATE organisations SET enforce_two_factor = false WHERE id = $1")
        .bind(org)
        .execute(db)
        .await
        .unwrap();
    let admin = seed_member(db, org, "super_admin", email, password).await;
    sqlx::query("UPDATE organisations SET creator_id = $2 WHERE id = $1")
        .bind(org)
        .bind(admin)
        .execute(db)
        .await
        .unwrap();
    let mut b = Browser::new(app);
    let answer = b.sign_in("member", email, password).await;
    assert_eq!(answer.json["stage"], "signed_in", "{}", answer.text);
    (b, org)
}

/// An organisation; it requires two factors of its administrators (the default).
pub async fn seed_organisation(db: &PgPool, name: &str) -> Uuid {
    let mut conn = db.acquire().await.unwrap();
    orgdesk::organisations::create(
        &mut conn,
        &orgdesk::organisations::NewOrganisation {
            name,
            ..Default::default()
        },
    )
    .await
    .expect("organisation")
    .id
}

/// An active account with `password`; `org` and `role` for members, `None` for operators.
pub async fn seed_account(
    db: &PgPool,
    org: Option<Uuid>,
    role: Option<&str>,
    email: &str,
    password: &str,
) -> Uuid {
    let password = password.to_owned();
    let hash =
        tokio::task::spawn_blocking(move || orgdesk::auth::password::hash_blocking(&password))
            .await
            .unwrap()
            .expect("hash");
    let mut conn = db.acquire().await.unwrap();
    repo::create(
        &mut conn,
        &NewAccount {
            kind: if org.is_some() {
                AccountKind::Member
            } else {
                AccountKind::Operator
            },
            org_id: org,
            role,
            name: email.split('@').next().unwrap_or(email),
            email: Some(email),
            mobile: None,
            password_hash: &hash,
        },
    )
    .await
    .expect("insert account")
}

/// A member of `org` with `role` (`super_admin` or `employee`).
pub async fn seed_member(db: &PgPool, org: Uuid, role: &str, email: &str, password: &str) -> Uuid {
    seed_account(db, Some(org), Some(role), email, password).await
}

/// An admin group of `org` holding `permissions` (stored names such as
/// `contacts.manage`) over `scope` (`organisation`, `departments` with
/// `departments`, or `own_departments`), with `members`.
pub async fn seed_admin_group(
    db: &PgPool,
    org: Uuid,
    name: &str,
    permissions: &[&str],
    scope: &str,
    departments: &[Uuid],
    members: &[Uuid],
) -> Uuid {
    let id = Uuid::now_v7();
    let permissions: Vec<String> = permissions.iter().map(|p| p.to_string()).collect();
    sqlx::query(
        "INSERT INTO admin_groups (id, org_id, name, permissions, scope) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(org)
    .bind(name)
    .bind(&permissions)
    .bind(scope)
    .execute(db)
    .await
    .expect("admin group");
    sqlx::query(
        "INSERT INTO admin_group_departments (org_id, group_id, department_id) SELECT $1, $2, unnest($3::uuid[])",
    )
    .bind(org)
    .bind(id)
    .bind(departments)
    .execute(db)
    .await
    .expect("admin group departments");
    sqlx::query(
        "INSERT INTO admin_group_members (org_id, group_id, account_id) SELECT $1, $2, unnest($3::uuid[])",
    )
    .bind(org)
    .bind(id)
    .bind(members)
    .execute(db)
    .await
    .expect("admin group members");
    id
}

/// A platform operator.
pub async fn seed_operator(db: &PgPool, email: &str, password: &str) -> Uuid {
    seed_account(db, None, None, email, password).await
}

/// A pool that points at a port where nothing listens: the database is down.
pub fn unreachable_pool() -> PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_millis(500))
        .connect_lazy("postgres://postgres@127.0.0.1:9/orgdesk")
        .expect("lazy pool")
}

/// The messages queued for `recipient` (and `template`, when given), oldest
/// first, each opened as the delivery worker opens it.
pub async fn queued_messages(
    db: &PgPool,
    recipient: &str,
    template: Option<&str>,
) -> Vec<orgdesk::notify::Template> {
    let sealer = orgdesk::notify::outbox::load_sealer(db, None)
        .await
        .expect("the outbox key");
    let rows: Vec<(Uuid, serde_json::Value)> = sqlx::query_as(
        "SELECT id, payload FROM outbox
          WHERE recipient = $1 AND ($2::text IS NULL OR template = $2)
          ORDER BY created_at, id",
    )
    .bind(recipient)
    .bind(template)
    .fetch_all(db)
    .await
    .unwrap();
    rows.iter()
        .map(|(id, payload)| {
            orgdesk::notify::outbox::open_payload(&sealer, *id, payload)
                .expect("a queued payload opens with the outbox key")
        })
        .collect()
}

/// The codes queued for `recipient`, oldest first.
pub async fn queued_codes(db: &PgPool, recipient: &str) -> Vec<String> {
    queued_messages(db, recipient, Some("verification_code"))
        .await
        .into_iter()
        .filter_map(|t| match t {
            orgdesk::notify::Template::VerificationCode { code, .. } => Some(code),
            _ => None,
        })
        .collect()
}
