//! The Orgdesk server and its commands (`orgdesk --help`; see `cli`).

// Rendering a page makes many small, short-lived allocations: glibc's malloc
// took a fifth of the server's CPU on the contacts page.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (mimalloc.h, the same in v2 and v3).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory goes back to the system at once, not 10 ms later: memory
/// freed on a worker thread that then idles otherwise stays resident, and a
/// 100,000-row import would leave the next one starting on top of its
/// garbage (the benchmark's run: 260 MB at its peak with the delay, 193
/// without, at the same speed).
/// `MIMALLOC_PURGE_DELAY` set in the environment still decides.
fn release_freed_memory_at_once() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: sets an option of the allocator before any other thread
    // exists (the runtime is built after); any value is valid for it.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
}

use clap::Parser;
use leptos::config::get_configuration;
use orgdesk::cli::{
    AuditCommand, Cli, Command, OperatorCommand, OrgCommand, SeedArgs, read_password,
};
use orgdesk::server::{
    config::Config,
    startup::{bind, bind_error, ready_banner, router, serve, shutdown_signal},
    state::AppState,
    telemetry,
};
use sqlx::{PgPool, migrate::MigrateDatabase};
use std::{process::ExitCode, time::Duration};
use tokio::sync::watch;

fn main() -> ExitCode {
    release_freed_memory_at_once();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(err) => {
            eprintln!("orgdesk: {err}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(serve_or_command())
}

async fn serve_or_command() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("orgdesk: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let command = Cli::parse().command.unwrap_or(Command::Serve);
    let config = Config::from_env()?;
    telemetry::init(config.log_json);

    // A fresh machine has the server but not our database yet.
    let unreachable = |e: sqlx::Error| database_error(config.database_url(), &e);
    if !sqlx::Postgres::database_exists(config.database_url())
        .await
        .map_err(unreachable)?
    {
        tracing::info!("creating the database named in DATABASE_URL");
        sqlx::Postgres::create_database(config.database_url())
            .await
            .map_err(unreachable)?;
    }
    let db = orgdesk::server::state::pool_options(config.database_max_connections)
        .connect(config.database_url())
        .await
        .map_err(unreachable)?;
    sqlx::migrate!("./migrations").run(&db).await?;

    match command {
        Command::Migrate => {
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Serve => {
            let leptos_options = get_configuration(None)?.leptos_options;
            let addr = leptos_options.site_addr;
            // Bound first, so a taken port is reported before anything else happens.
            let listener = bind(addr).await.map_err(|e| bind_error(addr, &e))?;
            let local = listener.local_addr()?;
            if let Some(problem) = config.serving_problem() {
                return Err(problem.into());
            }
            if config.master_key.is_none() {
                tracing::warn!(
                    "ORGDESK_MASTER_KEY is not set: the server keys (TOTP seeds, code hashes, \
                     queued messages) are kept unwrapped in the database, so a copy of the \
                     database opens them. In production set it to the output of \
                     `openssl rand -hex 32`, kept outside the database and its backups."
                );
            }
            let setup_link = orgdesk::auth::setup::first_run_link(
                &db,
                &config.base_url,
                config.auth.setup_link_ttl,
            )
            .await?;
            let banner = ready_banner(local, &config.base_url, setup_link.as_ref());
            let state = AppState::load(leptos_options, db, config)
                .await
                .map_err(|e| e.to_string())?;
            let worker = orgdesk::server::state::outbox_worker(
                &state.config,
                &state.db,
                state.codes.outbox_sealer(),
            )?;
            tokio::spawn(orgdesk::server::housekeeping::run(
                state.db.clone(),
                state.documents.clone(),
                state.config.retention.clone(),
                Duration::from_secs(600),
            ));
            tokio::spawn(orgdesk::invitations::reminders::run(
                state.db.clone(),
                state.codes.outbox_sealer().clone(),
                state.outbox_max_attempts.max(20),
                Duration::from_secs(600),
            ));
            tokio::spawn(orgdesk::imports::run::work(state.clone()));
            tokio::spawn(orgdesk::approvals::engine::clock::run(
                state.db.clone(),
                state.documents.clone(),
                state.codes.outbox_sealer().clone(),
                state.outbox_max_attempts,
                Duration::from_secs(5),
            ));
            tokio::spawn(orgdesk::audit::chain::run(
                state.db.clone(),
                Duration::from_secs(2),
            ));
            let (stop, stopped) = watch::channel(false);
            let worker = tokio::spawn(worker.run(stopped));

            tracing::info!("Orgdesk is ready on http://{local}");
            // On standard error, never into the log: the setup link is a
            // credential until it is used.
            eprintln!("\n{banner}\n");
            serve(listener, router(state.clone()), shutdown_signal()).await?;
            // In-flight requests are done; let the worker finish its current batch.
            let _ = stop.send(true);
            if tokio::time::timeout(Duration::from_secs(35), worker)
                .await
                .is_err()
            {
                tracing::warn!("outbox worker did not stop in time; unsent claims will be retried");
            }
            state.db.close().await;
            Ok(())
        }
        Command::Operator(OperatorCommand::Create(args)) => {
            let password = read_password(&args.email)?;
            let created = orgdesk::auth::setup::create_operator(&db, &args, &password).await?;
            println!("operator {created} created; two-factor enrolment is asked at first sign-in");
            Ok(())
        }
        Command::Org(OrgCommand::Create(args)) => {
            let password = read_password(&args.admin_name)?;
            let org = orgdesk::auth::setup::create_organisation(&db, &args, &password).await?;
            println!("organisation {org} created with its super administrator");
            Ok(())
        }
        Command::Org(OrgCommand::Member(args)) => {
            let password = read_password(&args.name)?;
            let id = orgdesk::auth::setup::create_member(&db, &args, &password).await?;
            println!("member {id} added to organisation {}", args.org);
            Ok(())
        }
        Command::Org(OrgCommand::Cap(args)) => {
            let cap = match args.members.trim() {
                "default" => None,
                "unlimited" => Some(0),
                n => match n.parse::<i32>() {
                    Ok(n) if n >= 1 => Some(n),
                    _ => {
                        return Err(
                            "--members takes a number from 1, `unlimited` or `default`".into()
                        );
                    }
                },
            };
            let mut conn = db.acquire().await?;
            if !orgdesk::organisations::set_member_cap(&mut conn, args.org, cap).await? {
                return Err(format!("no organisation {}", args.org).into());
            }
            let (cap, members) = orgdesk::organisations::member_room(&mut conn, args.org).await?;
            match cap {
                Some(cap) => println!(
                    "organisation {}: {members} members, at most {cap}",
                    args.org
                ),
                None => println!("organisation {}: {members} members, no cap", args.org),
            }
            Ok(())
        }
        Command::Seed(args) => seed(&db, args).await,
        Command::Audit(AuditCommand::Verify(args)) => audit_verify(&db, args.org).await,
    }
}

/// `orgdesk audit verify`: one line per chain; an error (exit status 1)
/// when one is broken.
async fn audit_verify(
    db: &PgPool,
    org: Option<uuid::Uuid>,
) -> Result<(), Box<dyn std::error::Error>> {
    use orgdesk::audit::chain;
    chain::seal_once(db).await?;
    let chains = match org {
        Some(id) => vec![Some(id)],
        None => chain::chains(db).await?,
    };
    let mut broken = 0;
    for org in chains {
        let v = chain::verify(db, org).await?;
        let name = org.map_or_else(|| "platform".to_owned(), |id| format!("organisation {id}"));
        match &v.broken {
            None => println!(
                "{name}: intact, {} rows checked (head {} {}; {} pruned before; {} not sealed yet)",
                v.rows,
                v.head_seq,
                v.head_hash.as_deref().unwrap_or("-"),
                v.pruned,
                v.unsealed
            ),
            Some(b) => {
                broken += 1;
                println!("{name}: BROKEN: {b} ({} rows checked before it)", v.rows);
            }
        }
    }
    if broken > 0 {
        return Err(format!("{broken} audit chain(s) broken").into());
    }
    Ok(())
}

/// A database problem at start-up, naming the server (never the password)
/// and, when it does not answer, what to check.
fn database_error(url: &str, err: &sqlx::Error) -> String {
    let server = url::Url::parse(url)
        .ok()
        .map(|u| {
            let host = u.host_str().unwrap_or("localhost").to_owned();
            format!("{host}:{}", u.port().unwrap_or(5432))
        })
        .unwrap_or_else(|| "the server in DATABASE_URL".into());
    let refused = matches!(err, sqlx::Error::Io(e) if matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound
    ));
    if refused {
        format!(
            "no PostgreSQL server answers at {server} (DATABASE_URL). Start it, point \
             DATABASE_URL at a running one, or unset DATABASE_URL and `make run` finds or \
             starts one ({err})"
        )
    } else {
        format!("the database in DATABASE_URL ({server}) refused: {err}")
    }
}

/// `orgdesk seed`: a demo organisation of `args.members` people.
async fn seed(db: &PgPool, args: SeedArgs) -> Result<(), Box<dyn std::error::Error>> {
    let mut spec = orgdesk::contacts::seed::SeedSpec {
        name: args.name,
        admin_email: args.admin_email,
        password_hash: String::new(),
        members: args.members,
        departments: args.departments,
        rng_seed: 2026,
    };
    if let Some(path) = args.csv {
        let file = std::io::BufWriter::new(std::fs::File::create(&path)?);
        let rows = orgdesk::contacts::seed::write_csv(&spec, file)?;
        println!("{rows} people written to {}", path.display());
        return Ok(());
    }
    let password = read_password(&spec.admin_email)?;
    spec.password_hash = orgdesk::auth::setup::hash_new_password(&password).await?;
    let started = std::time::Instant::now();
    let done = orgdesk::contacts::seed::seed(db, &spec)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "organisation {} seeded in {:.1} s: {} departments (deepest level {}), {} members; \
         mid-level department {} (level {}, {} people); sign in as {}",
        done.org_id,
        started.elapsed().as_secs_f64(),
        done.departments,
        done.max_depth,
        done.members,
        done.mid_level.0,
        done.mid_level.1,
        done.mid_level.2,
        spec.admin_email
    );
    Ok(())
}
