//! A list of signed-in sessions: the device, where from, since when, and
//! a button that ends each one (the account's own page, an administrator's
//! view of a member).
use super::super::SessionInfo;
use crate::i18n::*;
use leptos::prelude::*;

/// The sessions, newest first; `end` is called with a session's id when
/// its button is pressed (none for the session in use).
#[component]
pub fn SessionTable(sessions: Vec<SessionInfo>, end: Callback<String>) -> impl IntoView {
    let i18n = use_i18n();
    if sessions.is_empty() {
        return view! { <p class="empty" data-empty="sessions">{t!(i18n, security.no_sessions)}</p> }
            .into_any();
    }
    // A list, not a table: it reads the same on a phone.
    view! {
        <ul class="plain-list sessions" data-table="sessions">
            {sessions
                .into_iter()
                .map(|s| {
                    let device = [s.browser.as_str(), s.system.as_str()]
                        .into_iter()
                        .filter(|p| !p.is_empty())
                        .collect::<Vec<_>>()
                        .join(" · ");
                    let unknown = device.is_empty();
                    let id = s.id.clone();
                    view! {
                        <li class="sessions__item" data-session=s.id.clone() data-current=s.current.then_some("true")>
                            <div class="sessions__what">
                                <strong>
                                    {if unknown {
                                        view! { <span>{t!(i18n, security.session_unknown_device)}</span> }.into_any()
                                    } else {
                                        view! { <span translate="no">{device}</span> }.into_any()
                                    }}
                                </strong>
                                {s.current.then(|| view! { " " <span class="badge">{t!(i18n, security.session_this)}</span> })}
                                <br />
                                <span class="muted">
                                    {t!(i18n, security.session_ip)} ": "
                                    <span class="mono" translate="no">{s.ip.clone().unwrap_or_default()}</span>
                                </span>
                                <br />
                                <span class="muted">
                                    {t!(i18n, security.session_started)} ": " {s.started_at.clone()}
                                    " · "
                                    {t!(i18n, security.session_last_seen)} ": " {s.last_seen_at.clone()}
                                </span>
                            </div>
                            {(!s.current).then(|| view! {
                                <button
                                    type="button"
                                    class="button button--small"
                                    data-action="end-session"
                                    on:click=move |_| end.run(id.clone())
                                >
                                    {t!(i18n, security.session_end)}
                                </button>
                            })}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
