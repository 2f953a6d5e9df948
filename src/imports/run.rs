//! Running an import: a background job that any instance may claim, which
//! checks the file again under the organisation's contacts lock and applies
//! it in one transaction. A server killed mid-run leaves nothing: the
//! transaction dies with its connection, another instance marks the job
//! failed when its heartbeat stops, and the administrator can run it again.
use super::apply;
use super::check::RowPlan;
use super::repo;
use super::{Counts, Encoding, RowAction};
use crate::access::Permission;
use crate::audit::Action;
use crate::audit::repo::{Actor, Event, record};
use crate::error::Code;
use crate::server::state::AppState;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use uuid::Uuid;

/// Rows written per statement; progress is reported after each batch.
const BATCH: usize = 2_000;
/// A run that has not written its heartbeat for this long is dead.
pub const STALE_SECS: i64 = 120;

/// Claims and runs queued imports, one at a time, until the process ends.
pub async fn work(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut reaped_at = std::time::Instant::now() - Duration::from_secs(3600);
    loop {
        tick.tick().await;
        if reaped_at.elapsed() > Duration::from_secs(30) {
            reaped_at = std::time::Instant::now();
            if let Err(e) = repo::reap(&state.db, STALE_SECS).await {
                tracing::warn!(error = %e, "could not look for dead imports");
            }
        }
        run_pending(&state).await;
    }
}

/// Runs every queued import, one after another; how many ran.
pub async fn run_pending(state: &AppState) -> usize {
    let mut ran = 0;
    loop {
        match repo::claim(&state.db).await {
            Ok(Some((id, org))) => {
                run_one(state, org, id).await;
                ran += 1;
            }
            Ok(None) => return ran,
            Err(e) => {
                tracing::warn!(error = %e, "could not claim an import");
                return ran;
            }
        }
    }
}

async fn run_one(state: &AppState, org: Uuid, id: Uuid) {
    let started = std::time::Instant::now();
    // The heartbeat goes on while the run works, from its own task, and
    // stops with the run however it ends (cancelled too).
    struct Beat(tokio::task::JoinHandle<()>);
    impl Drop for Beat {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let _beat = Beat({
        let db = state.db.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(10));
            loop {
                tick.tick().await;
                let _ = sqlx::query!(
                    "UPDATE import_jobs SET heartbeat_at = now() WHERE id = $1 AND status = 'running'",
                    id
                )
                .execute(&db)
                .await;
            }
        })
    });
    let outcome = run(state, org, id).await;
    let mut conn = match state.db.acquire().await {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, %id, "an import ended but could not be recorded");
            return;
        }
    };
    let recorded = match &outcome {
        Ok(counts) => {
            tracing::info!(%id, rows = counts.rows, secs = started.elapsed().as_secs_f64(), "import done");
            Ok(())
        }
        Err(code) => {
            tracing::warn!(%id, code = code.as_str(), "import failed");
            repo::finish(&mut conn, id, Err(code.as_str()))
                .await
                .map(|_| ())
        }
    };
    if let Err(e) = recorded {
        tracing::error!(error = %e, %id, "an import's outcome could not be recorded");
    }
}

/// The whole run: `Ok` once committed (the job is `done` in the same
/// transaction), else why it failed (nothing was changed).
async fn run(state: &AppState, org: Uuid, id: Uuid) -> Result<Counts, Code> {
    let internal = |e: &dyn std::fmt::Display| {
        tracing::error!(error = %e, %id, "import");
        Code::Internal
    };
    let job = repo::job(&state.db, org, id)
        .await
        .map_err(|e| internal(&e))?
        .ok_or(Code::NotFound)?;
    let bytes = state
        .documents
        .get(&job.file_key)
        .await
        .map_err(|e| internal(&e))?;
    let encoding = job
        .encoding
        .as_deref()
        .and_then(Encoding::parse)
        .filter(|_| job.encoding_chosen);
    let max_rows = state.contacts.import_max_rows;

    let mut tx = state.db.begin().await.map_err(|e| internal(&e))?;
    // A run waits longer than a click for the contacts a change holds.
    crate::contacts::repo::lock(&mut tx, org, Duration::from_secs(60))
        .await
        .map_err(|_| Code::ImportBusy)?;
    // The administrator who asked may since have lost the right.
    let super_admin = sqlx::query_scalar!(
        r#"SELECT role = 'super_admin' AS "super_admin!" FROM accounts
            WHERE org_id = $1 AND id = $2 AND kind = 'member' AND status = 'active'"#,
        org,
        job.created_by
    )
    .fetch_optional(&mut *tx)
    .await
    .map_err(|e| internal(&e))?
    .ok_or(Code::AuthForbidden)?;
    let grants = crate::access::load(&state.db, org, job.created_by, super_admin)
        .await
        .map_err(|e| internal(&e))?;
    let scope = grants
        .scope_of(Permission::ManageContacts)
        .ok_or(Code::AuthForbidden)?;
    let may_invite = grants.scope_of(Permission::InviteMembers);
    let snapshot = super::snapshot::load(&mut tx, org, scope, job.created_by)
        .await
        .map_err(|e| internal(&e))?;
    // Read and judged on one thread, as the dry run was (see web::check).
    let options = job.options;
    let (snapshot, checked) = tokio::task::spawn_blocking(move || {
        let checked = super::web::read_and_plan(&snapshot, bytes, encoding, max_rows, options);
        (snapshot, checked)
    })
    .await
    .map_err(|e| internal(&e))?;
    let plan = checked.map_err(|e| super::web::refusal(&e))?.plan;
    // What runs is what the administrator saw; anything else is checked again.
    if plan.counts != job.counts || plan.fingerprint != job.fingerprint {
        return Err(Code::ImportChanged);
    }
    if job.options.full_sync
        && plan.needs_second_confirmation()
        && job.confirmed_disable != Some(plan.counts.disable as i32)
    {
        return Err(Code::ImportConfirmSync);
    }

    let mut done = 0usize;
    let report = async |done: usize| {
        let _ = repo::progress(&state.db, id, done as i32).await;
    };
    let departments = apply::create_departments(&mut tx, org, &snapshot, &plan)
        .await
        .map_err(|e| internal(&e))?;
    let taken: HashSet<String> = snapshot
        .people
        .iter()
        .map(|p| p.userid.to_lowercase())
        .collect();
    let mut created: HashMap<usize, Uuid> = HashMap::new();
    let creates: Vec<(usize, &RowPlan)> = plan
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.action == RowAction::Create)
        .collect();
    let mut userids = apply::UserIds::new(taken, &plan);
    if plan.rows.len() > 1_000 {
        apply::fresh_plans(&mut tx)
            .await
            .map_err(|e| internal(&e))?;
    }
    for chunk in creates.chunks(BATCH) {
        apply::insert_people(
            &mut tx,
            org,
            chunk,
            &departments,
            &mut userids,
            &mut created,
        )
        .await
        .map_err(|e| internal(&e))?;
        done += chunk.len();
        report(done).await;
    }
    let updates: Vec<&RowPlan> = plan
        .rows
        .iter()
        .filter(|r| matches!(r.action, RowAction::Update | RowAction::Move))
        .collect();
    for chunk in updates.chunks(BATCH) {
        apply::update_people(&mut tx, org, chunk, &departments)
            .await
            .map_err(|e| internal(&e))?;
        done += chunk.len();
        report(done).await;
    }
    let told = apply::tell_old_addresses(state, &mut tx, org, &job, &snapshot, &plan)
        .await
        .map_err(|e| internal(&e))?;
    // Managers last: a manager may be a person this run created.
    for (n, chunk) in plan.rows.chunks(BATCH).enumerate() {
        apply::set_managers(&mut tx, org, &plan, n * BATCH, chunk, &created)
            .await
            .map_err(|e| internal(&e))?;
    }
    apply::disable(&mut tx, org, &plan.disable)
        .await
        .map_err(|e| internal(&e))?;
    apply::recount(&mut tx, org)
        .await
        .map_err(|e| internal(&e))?;
    let mut invited = 0;
    if job.options.invite {
        invited = apply::invite(state, &mut tx, org, &job, may_invite.as_ref(), &created)
            .await
            .map_err(|e| internal(&e))?;
    }
    record(
        &mut tx,
        &Actor {
            id: Some(job.created_by),
            kind: "member",
            ip: None,
            user_agent: None,
        },
        &Event::new(Action::ContactsImported)
            .org(Some(org))
            .details(json!({
                "file": job.file_name,
                "rows": plan.counts.rows,
                "created": plan.counts.create,
                "updated": plan.counts.update + plan.counts.moved,
                "disabled": plan.counts.disable,
                "new_departments": plan.counts.departments,
                "errors": plan.counts.error,
                "invited": invited,
                "old_addresses_told": told,
            })),
    )
    .await
    .map_err(|e| internal(&e))?;
    // Marked dead meanwhile (its heartbeat late): nothing is kept.
    if !repo::finish(&mut tx, id, Ok(&plan.counts))
        .await
        .map_err(|e| internal(&e))?
    {
        return Err(Code::ImportInterrupted);
    }
    tx.commit().await.map_err(|e| internal(&e))?;
    Ok(plan.counts)
}
