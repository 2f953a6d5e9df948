//! The approver's inbox: one query for its three tabs.
use super::member::PER_PAGE;
use crate::approvals::RequestRow;
use crate::error::AppError;
use crate::server::time::Tz;
use sqlx::PgConnection;
use uuid::Uuid;

/// What one page of the inbox asks for.
pub struct Query<'a> {
    pub org: Uuid,
    pub me: Uuid,
    /// `pending`, `handled` or `cc`.
    pub tab: &'static str,
    pub template: Option<Uuid>,
    pub submitter: Option<Uuid>,
    /// Submitted on or after `from`, on or before `to`, in the organisation's zone.
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub zone: Tz,
    /// The request's number, when the search is one.
    pub number: Option<i64>,
    /// A `LIKE` pattern for the summary and the submitter's name.
    pub pattern: Option<&'a str>,
    pub page: i64,
}

/// The total and one page of a tab, newest first.
pub async fn page(c: &mut PgConnection, q: Query<'_>) -> Result<(i64, Vec<RequestRow>), AppError> {
    let rows = sqlx::query!(
        r#"WITH mine AS (
               SELECT t.request_id, t.id AS task_id, t.activated_at AS at FROM approval_tasks t
               WHERE $3 = 'pending' AND t.assignee_id = $2 AND t.org_id = $1 AND t.status = 'pending'
               UNION ALL
               SELECT t.request_id, t.id, t.decided_at FROM approval_tasks t
               WHERE $3 = 'handled' AND t.assignee_id = $2 AND t.org_id = $1
                 AND t.status IN ('approved', 'rejected', 'transferred') AND NOT t.automatic
               UNION ALL
               SELECT cc.request_id, NULL, cc.shown_at FROM approval_cc cc
               WHERE $3 = 'cc' AND cc.account_id = $2 AND cc.org_id = $1 AND cc.shown_at IS NOT NULL
           )
           SELECT r.id, r.number, t.name_en, t.name_zh, r.submitter_id, a.name AS submitter_name,
                  r.status, r.summary, r.submitted_at AS "submitted_at: chrono::DateTime<chrono::Utc>",
                  m.task_id AS "task_id?",
                  ARRAY(SELECT w.name FROM approval_tasks k JOIN accounts w ON w.id = k.assignee_id
                        WHERE k.request_id = r.id AND k.status = 'pending' ORDER BY k.position) AS "waiting!",
                  count(*) OVER () AS "total!"
           FROM mine m
           JOIN approval_requests r ON r.id = m.request_id
           JOIN approval_templates t ON t.id = r.template_id
           JOIN accounts a ON a.id = r.submitter_id
           WHERE ($4::uuid IS NULL OR r.template_id = $4)
             AND ($5::uuid IS NULL OR r.submitter_id = $5)
             AND ($6::text IS NULL OR r.submitted_at >= ($6::text::date::timestamp AT TIME ZONE $8))
             AND ($7::text IS NULL OR r.submitted_at < (($7::text::date + 1)::timestamp AT TIME ZONE $8))
             AND ($9::bigint IS NULL AND $10::text IS NULL
                  OR r.number = $9
                  OR r.summary ILIKE $10 OR a.name ILIKE $10 OR a.name_pinyin ILIKE $10)
           ORDER BY m.at DESC, r.id DESC
           LIMIT $11 OFFSET $12"#,
        q.org,
        q.me,
        q.tab,
        q.template,
        q.submitter,
        q.from.map(|d| d.to_string()),
        q.to.map(|d| d.to_string()),
        q.zone.name(),
        q.number,
        q.pattern,
        PER_PAGE,
        (q.page - 1) * PER_PAGE,
    )
    .fetch_all(&mut *c)
    .await?;
    let total = rows.first().map(|r| r.total).unwrap_or(0);
    let rows = rows
        .into_iter()
        .map(|r| RequestRow {
            id: r.id.to_string(),
            number: r.number,
            template_en: r.name_en,
            template_zh: r.name_zh,
            submitter: r.submitter_id.to_string(),
            submitter_name: r.submitter_name,
            status: r.status,
            summary: r.summary,
            submitted_at: crate::server::time::local(r.submitted_at, q.zone),
            task: r.task_id.map(|t| t.to_string()),
            waiting_for: r.waiting,
        })
        .collect();
    Ok((total, rows))
}
