//! Operator-assisted recovery: an administrator who lost both the
//! authenticator and the recovery codes asks a platform operator, who finds
//! the account and turns its second factor off with a recorded reason. The
//! administrator enrols again at the next sign-in. Kept together (types,
//! server functions, page) because it is one small screen.
use super::api::OperatorResetSecondFactor;
use crate::error::AppError;
use crate::i18n::*;
use crate::ui::{Field, FormError, Loaded, field_code, last_error};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

/// A member account as an operator sees it when helping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberSummary {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub mobile: Option<String>,
    pub org_name: String,
    pub role: String,
    pub status: String,
    pub totp_enabled: bool,
}

/// Member accounts whose email, mobile or name matches `query` (at most 50).
#[server(prefix = "/api", endpoint = "operator_find_members")]
pub async fn operator_find_members(query: String) -> Result<Vec<MemberSummary>, AppError> {
    crate::access::require_operator(crate::access::Permission::ViewApplicationData).await?;
    let state = crate::server::state::app_state()?;
    let query = query.trim();
    if query.is_empty() {
        return Ok(vec![]);
    }
    if query.chars().count() > 128 {
        return Err(AppError::field(
            "query",
            crate::error::Code::ValidationTooLong,
        ));
    }
    // A mobile number as typed (138 0013 8000) is matched in its stored form.
    let mobile = crate::domain::Mobile::parse(query)
        .ok()
        .map(|m| m.into_inner());
    let rows = crate::auth::repo::find_members(&state.db, query, mobile.as_deref()).await?;
    Ok(rows
        .into_iter()
        .map(|r| MemberSummary {
            id: r.id.to_string(),
            name: r.name,
            email: r.email,
            mobile: r.mobile,
            org_name: r.org_name,
            role: r.role,
            status: r.status,
            totp_enabled: r.totp_enabled,
        })
        .collect())
}

/// `/operator/accounts`: find a member and reset their second factor.
#[component]
pub fn OperatorAccountsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let reset = ServerAction::<OperatorResetSecondFactor>::new();
    let results = Resource::new(
        move || (q(), reset.version().get()),
        |(q, _)| operator_find_members(q),
    );
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, assist.title)) />
        <section class="page" data-page="operator-accounts">
            <h1>{t!(i18n, assist.title)}</h1>
            <p class="page__lead">{t!(i18n, assist.lead)}</p>
            <form method="get" action="/operator/accounts" class="search" role="search">
                <label class="field__label" for="member-search">
                    {t!(i18n, assist.search_label)}
                </label>
                <div class="search__row">
                    <input
                        class="field__input"
                        id="member-search"
                        type="search"
                        name="q"
                        value=q
                        maxlength="128"
                    />
                    <button type="submit" class="button">
                        {t!(i18n, assist.search)}
                    </button>
                </div>
            </form>
            {move || {
                matches!(reset.value().get(), Some(Ok(())))
                    .then(|| {
                        view! {
                            <p class="alert alert--success" role="status">
                                {t!(i18n, assist.done)}
                            </p>
                        }
                    })
            }}
            <Loaded resource=results let:value>
                {match value {
                    rows if rows.is_empty() && !q().trim().is_empty() => {
                        view! { <p class="empty">{t!(i18n, assist.none)}</p> }.into_any()
                    }
                    rows if rows.is_empty() => ().into_any(),
                    rows => {
                        view! {
                            <ul class="member-list">
                                {rows
                                    .into_iter()
                                    .map(|m| view! { <MemberRow member=m reset /> })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }
                }}
            </Loaded>
        </section>
    }
}

#[component]
fn MemberRow(
    member: MemberSummary,
    reset: ServerAction<OperatorResetSecondFactor>,
) -> impl IntoView {
    let i18n = use_i18n();
    // The reset asks for a reason first: the confirmation step.
    let confirming = RwSignal::new(false);
    let error = last_error(reset);
    let contact = [member.email.clone(), member.mobile.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let id = member.id.clone();
    let totp = member.totp_enabled;
    view! {
        <li class="member-list__item" data-member=member.id.clone()>
            <div>
                <strong>{member.name.clone()}</strong>
                " · "
                {member.org_name.clone()}
                <br />
                <span class="muted">{contact}</span>
                <br />
                <span class="muted">
                    {move || {
                        if totp {
                            t_string!(i18n, assist.totp_on)
                        } else {
                            t_string!(i18n, assist.totp_off)
                        }
                    }}
                </span>
            </div>
            {move || {
                if !totp {
                    return ().into_any();
                }
                let id = id.clone();
                if !confirming.get() {
                    return view! {
                        <button type="button" class="button" on:click=move |_| confirming.set(true)>
                            {t!(i18n, assist.reset)}
                        </button>
                    }
                        .into_any();
                }
                view! {
                    <ActionForm action=reset>
                        <input type="hidden" name="account_id" value=id />
                        <FormError error />
                        <Field
                            name="reason"
                            form="assist"
                            label=Signal::derive(move || t_string!(i18n, assist.reason).to_string())
                            hint=Signal::derive(move || t_string!(i18n, assist.reason_hint).to_string())
                            autofocus=true
                            maxlength=500
                            error=field_code(error, "reason")
                        />
                        <p class="muted">{t!(i18n, assist.reauth_hint)}</p>
                        <Field
                            name="password"
                            form="assist"
                            label=Signal::derive(move || t_string!(i18n, assist.your_password).to_string())
                            input_type="password"
                            autocomplete="current-password"
                            error=field_code(error, "password")
                        />
                        <Field
                            name="code"
                            form="assist"
                            label=Signal::derive(move || t_string!(i18n, assist.your_code).to_string())
                            autocomplete="one-time-code"
                            inputmode="numeric"
                            maxlength=20
                            error=field_code(error, "code")
                        />
                        <div class="form__actions">
                            <button type="submit" class="button button--danger">
                                {t!(i18n, assist.confirm)}
                            </button>
                            <button
                                type="button"
                                class="button button--link"
                                on:click=move |_| confirming.set(false)
                            >
                                {t!(i18n, assist.cancel)}
                            </button>
                        </div>
                    </ActionForm>
                }
                    .into_any()
            }}
        </li>
    }
}
