//! Errors in words, in the visitor's language: the sentences themselves are
//! generated with [`Code`].
use super::Cooldown;
use crate::error::{AppError, Code};
use crate::i18n::*;
use leptos::prelude::*;

/// A translated message for an error, with the reference for internal errors.
#[component]
pub fn AppErrorView(
    error: AppError,
    /// Counts the wait of a refusal down, and ends the message with it;
    /// without one, the wait the refusal named is shown as it was.
    #[prop(optional)]
    cooldown: Option<Cooldown>,
) -> impl IntoView {
    let i18n = use_i18n();
    // A validation error about the whole application (not one field) says
    // what it is instead of "some fields need attention".
    let code = match error.field_code("application") {
        Some(Code::Unknown) => Code::ValidationInvalid,
        Some(whole) => whole,
        None => error.code(),
    };
    let reference = match &error {
        AppError::Internal { request_id } => request_id.clone(),
        _ => None,
    };
    let named = error.retry_after_secs();
    let counted = cooldown.filter(|_| named.is_some());
    // Until the browser starts counting (on the server, and while the page
    // hydrates) the wait is the one the refusal named.
    let wait = move || match counted {
        Some(c) if c.started() => Some(c.left()).filter(|s| *s > 0),
        _ => named,
    };
    let message = move || {
        wait().map(|seconds| {
            if seconds >= 120 {
                let minutes = seconds.div_ceil(60);
                view! { <p>{t!(i18n, errors.retry_after_minutes, minutes)}</p> }.into_any()
            } else {
                view! { <p>{t!(i18n, errors.retry_after, seconds)}</p> }.into_any()
            }
        })
    };
    // A counted wait that is over has nothing left to say.
    let shown = move || named.is_none() || wait().is_some();
    view! {
        <div
            class="alert alert--error"
            role="alert"
            data-code=code.as_str()
            hidden=move || !shown()
        >
            <p>{move || code.text(i18n.get_locale())}</p>
            {message}
            {reference
                .map(|id| {
                    view! {
                        <p class="alert__reference">
                            {t!(i18n, error_page.reference)} ": " <code>{id}</code>
                        </p>
                    }
                })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_error_codes_are_known() {
        let errors = [
            AppError::Validation { fields: vec![] },
            AppError::Unauthenticated,
            AppError::Forbidden,
            AppError::NotFound,
            AppError::Conflict,
            AppError::TooManyRequests {
                retry_after_secs: None,
            },
            AppError::Internal { request_id: None },
            AppError::InvalidCredentials,
            AppError::Locked {
                retry_after_secs: 1,
            },
            AppError::AccountDisabled,
            AppError::Transport {
                network: true,
                message: String::new(),
            },
        ];
        for e in errors {
            assert!(
                Code::ALL.contains(&e.code()),
                "{} is not translated",
                e.code()
            );
        }
    }
}
