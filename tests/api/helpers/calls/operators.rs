//! The operators' area: review, audit, undelivered messages and support.
use super::{Answer, Browser};

calls! {
    /// `review_detail` of application `id`.
    review_detail => "review_detail"(id);
    /// `review_start`: the operator takes submission `submission_no` of `id`.
    start_review => "review_start"(id, submission_no);
    /// `review_approve` of submission `submission_no` of application `id`.
    approve => "review_approve"(id, submission_no);
    /// `operator_audit`: the newest page of the platform's audit log.
    operator_audit => "operator_audit"();
    /// `admin_audit`: the newest page of the organisation's audit log.
    admin_audit => "admin_audit"();
    /// `operator_failed_deliveries`: the newest page of undelivered messages.
    failed_deliveries => "operator_failed_deliveries"();
    /// `operator_reset_second_factor` of a member's account, first step.
    reset_second_factor => "operator_reset_second_factor"(account_id, reason);
    /// `operator_reset_second_factor`, confirmed with the operator's password and code.
    confirm_reset_second_factor => "operator_reset_second_factor"(account_id, reason, password, code);
}

impl Browser<'_> {
    /// `review_reject` of submission `submission_no` of `id` for `reasons`.
    pub async fn reject(&mut self, id: &str, submission_no: &str, reasons: &[&str]) -> Answer {
        let mut form = vec![("id", id), ("submission_no", submission_no)];
        form.extend(reasons.iter().map(|r| ("reasons[]", *r)));
        self.call("review_reject", &form).await
    }
}
