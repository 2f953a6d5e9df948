//! The join page (`/join`, made for a phone) and the invitation panel of a
//! person's page in the console.
use super::api::{InvitePerson, RevokeInvitation, invitation_of};
use super::join::{JoinActivate, JoinAskNewLink, JoinSendCode, join_state};
use super::{InvitationInfo, JoinDetails, JoinView, PersonInvitationView};
use crate::i18n::*;
use crate::ui::{
    ActionPanel, ConfirmStep, Cooldown, Field, FormError, field_code, last_error, text,
};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// `/join`: the holder of an invitation link joins here.
#[component]
pub fn JoinPage() -> impl IntoView {
    let i18n = use_i18n();
    let view_of = Resource::new(|| (), |_| join_state());
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, join.title)) />
        <section class="auth-card join" data-page="join">
            <crate::ui::Loaded resource=view_of let:v>
                {match v {
                    JoinView::Open(details) => view! { <JoinForm details /> }.into_any(),
                    JoinView::Dead { reason } => view! { <DeadLink reason /> }.into_any(),
                    JoinView::NoLink => {
                        view! {
                            <h1>{t!(i18n, join.title)}</h1>
                            <p class="auth-card__lead">{t!(i18n, errors.invitation_no_link)}</p>
                            <p>
                                <A href="/login">{t!(i18n, join.sign_in)}</A>
                            </p>
                        }
                            .into_any()
                    }
                }}
            </crate::ui::Loaded>
        </section>
    }
}

/// Prove the address, choose a password, join.
#[component]
fn JoinForm(details: JoinDetails) -> impl IntoView {
    let i18n = use_i18n();
    let send = ServerAction::<JoinSendCode>::new();
    let activate = ServerAction::<JoinActivate>::new();
    let send_error = last_error(send);
    let activate_error = last_error(activate);
    let cooldown = Cooldown::new();
    Effect::new(move |_| cooldown.follow(send.value().get(), |secs| *secs));
    let sent = move || matches!(send.value().get(), Some(Ok(_)));
    let first = details
        .channels
        .first()
        .map(|(c, _)| c.clone())
        .unwrap_or_default();
    let channel = RwSignal::new(first);
    let several = details.channels.len() > 1;
    let choices = details
        .channels
        .iter()
        .cloned()
        .map(|(c, masked)| {
            let value = c.clone();
            let checked = c.clone();
            let label = if c == "sms" {
                text!(i18n, join.by_sms)
            } else {
                text!(i18n, join.by_email)
            };
            view! {
                <label class="check">
                    <input
                        type="radio"
                        name="channel-choice"
                        value=value.clone()
                        prop:checked=move || channel.get() == checked
                        on:change=move |_| channel.set(value.clone())
                    />
                    <span>{label} " " <span translate="no">{masked}</span></span>
                </label>
            }
        })
        .collect_view();
    let min_chars = details.password_min_chars;
    let inviter = details.inviter.clone().unwrap_or_default();
    view! {
        <p class="join__organisation" translate="no">{details.organisation.clone()}</p>
        <h1>{t!(i18n, join.welcome, name = details.name.clone())}</h1>
        <p class="auth-card__lead">
            {if inviter.is_empty() {
                view! { {t!(i18n, join.lead_plain, organisation = details.organisation.clone())} }.into_any()
            } else {
                view! { {t!(i18n, join.lead, inviter = inviter.clone(), organisation = details.organisation.clone())} }.into_any()
            }}
        </p>
        <ActionForm action=send>
            <input type="hidden" name="channel" value=move || channel.get() />
            <crate::ui::challenge::ChallengeField error=send_error />
            <FormError error=send_error cooldown=cooldown />
            <FieldCodes error=send_error fields=&["link", "channel", "code"] />
            <fieldset class="field" class:visually-hidden=!several>
                <legend class="field__label">{t!(i18n, join.prove)}</legend>
                {choices}
            </fieldset>
            <div class="form__actions">
                <button
                    type="submit"
                    class="button button--block"
                    class:button--primary=move || !sent()
                    disabled=move || send.pending().get() || cooldown.waiting()
                    data-action="send-code"
                >
                    {move || {
                        let left = cooldown.left();
                        if left > 0 {
                            view! { {t!(i18n, forgot.resend_in, seconds = left)} }.into_any()
                        } else if sent() {
                            view! { {t!(i18n, forgot.resend)} }.into_any()
                        } else {
                            view! { {t!(i18n, forgot.send_code)} }.into_any()
                        }
                    }}
                </button>
            </div>
        </ActionForm>
        <Show when=sent>
            <p class="alert alert--info" role="status">{t!(i18n, join.code_sent)}</p>
        </Show>
        <ActionForm action=activate>
            <input type="hidden" name="channel" value=move || channel.get() />
            <FormError error=activate_error />
            <FieldCodes error=activate_error fields=&["link", "channel"] />
            <Field
                name="code"
                label=text!(i18n, forgot.code)
                autocomplete="one-time-code"
                inputmode="numeric"
                maxlength=6
                error=field_code(activate_error, "code")
            />
            <Field
                name="new_password"
                label=text!(i18n, join.password)
                hint=Signal::derive(move || format!("{min_chars} {}", t_string!(i18n, security.password_rules_min)))
                input_type="password"
                autocomplete="new-password"
                error=field_code(activate_error, "new_password")
            />
            {details.two_factor_required.then(|| view! {
                <p class="field__hint">{t!(i18n, join.two_factor_next)}</p>
            })}
            <div class="form__actions">
                <button
                    type="submit"
                    class="button button--primary button--block"
                    disabled=move || activate.pending().get()
                    data-action="activate"
                >
                    {t!(i18n, join.submit)}
                </button>
            </div>
        </ActionForm>
        <p class="field__hint">{t!(i18n, join.expires, at = details.expires_at.clone())}</p>
    }
}

/// The errors of `fields` that no input of the form shows (the link, the
/// channel, a limit on codes), in words.
#[component]
fn FieldCodes(
    error: Signal<Option<crate::error::AppError>>,
    fields: &'static [&'static str],
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let error = error.get();
        fields
            .iter()
            .filter_map(|f| error.as_ref().and_then(|e| e.field_code(f)))
            .map(|code| {
                view! {
                    <p class="field__error" role="alert" data-code=code.as_str()>
                        {code.text(i18n.get_locale())}
                    </p>
                }
            })
            .collect_view()
    }
}

/// The link no longer works: say why, and offer to ask for a new one.
#[component]
fn DeadLink(reason: String) -> impl IntoView {
    let i18n = use_i18n();
    let ask = ServerAction::<JoinAskNewLink>::new();
    let ask_error = last_error(ask);
    let asked = move || matches!(ask.value().get(), Some(Ok(())));
    let used = reason == "used";
    let why = match reason.as_str() {
        "used" => text!(i18n, errors.invitation_used),
        "expired" => text!(i18n, errors.invitation_expired),
        _ => text!(i18n, errors.invitation_dead),
    };
    view! {
        <h1>{t!(i18n, join.dead_title)}</h1>
        <p class="auth-card__lead" data-reason=reason.clone()>{why}</p>
        {if used {
            view! {
                <p>
                    <A href="/login" attr:class="button button--primary button--block">
                        {t!(i18n, join.sign_in)}
                    </A>
                </p>
            }
                .into_any()
        } else {
            view! {
                <Show
                    when=asked
                    fallback=move || {
                        view! {
                            <ActionForm action=ask>
                                <crate::ui::challenge::ChallengeField error=ask_error />
                                <FormError error=ask_error />
                                <div class="form__actions">
                                    <button
                                        type="submit"
                                        class="button button--primary button--block"
                                        disabled=move || ask.pending().get()
                                        data-action="ask-new-link"
                                    >
                                        {t!(i18n, join.ask_new_link)}
                                    </button>
                                </div>
                            </ActionForm>
                        }
                    }
                >
                    <p class="alert alert--info" role="status" data-part="asked">
                        {t!(i18n, join.asked)}
                    </p>
                </Show>
            }
                .into_any()
        }}
    }
}

/// The invitation panel of a person's page: how their invitation stands,
/// and sending, resending or revoking it (for those who may).
#[component]
pub fn PersonInvitation(#[prop(into)] person: Signal<String>) -> impl IntoView {
    let send = ServerAction::<InvitePerson>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let data = Resource::new(
        move || (person.get(), send.version().get(), revoke.version().get()),
        |(who, _, _)| invitation_of(who),
    );
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let Ok(v) = data.await else { return ().into_any() };
                view! { <InvitationPanel v person=person.get_untracked() send revoke /> }.into_any()
            })}
        </Transition>
    }
}

#[component]
fn InvitationPanel(
    v: PersonInvitationView,
    person: String,
    send: ServerAction<InvitePerson>,
    revoke: ServerAction<RevokeInvitation>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Someone who joined long ago has nothing to show here.
    if !v.invitable && v.latest.is_none() {
        return ().into_any();
    }
    let open = v.latest.as_ref().is_some_and(|l| l.state == "open");
    let resend = v.latest.is_some();
    let offer = v.may_invite && v.invitable;
    let send_label = if resend {
        text!(i18n, invite.resend)
    } else {
        text!(i18n, invite.send)
    };
    let person_revoke = person.clone();
    view! {
        <section class="panel" data-part="invitation">
            <h2>{t!(i18n, invite.heading)}</h2>
            {match v.latest.clone() {
                Some(info) => view! { <InvitationFacts info /> }.into_any(),
                None => view! { <p class="empty">{t!(i18n, invite.none_yet)}</p> }.into_any(),
            }}
            <FormError error=last_error(send) />
            <FormError error=last_error(revoke) />
            {offer.then(|| view! {
                <div class="actions">
                    <ActionPanel name="invite" label=send_label>
                        <ActionForm action=send attr:class="action__form">
                            <input type="hidden" name="id" value=person.clone() />
                            <fieldset class="field">
                                <legend class="field__label">{t!(i18n, invite.channels)}</legend>
                                {v.has_email.then(|| view! {
                                    <label class="check">
                                        <input type="checkbox" name="channels[]" value="email" checked />
                                        <span>{t!(i18n, invite.by_email)}</span>
                                    </label>
                                })}
                                {v.has_mobile.then(|| view! {
                                    <label class="check">
                                        <input type="checkbox" name="channels[]" value="sms" checked />
                                        <span>{t!(i18n, invite.by_sms)}</span>
                                    </label>
                                })}
                            </fieldset>
                            <div class="field">
                                <label class="field__label" for="invite-language">{t!(i18n, invite.language)}</label>
                                <select class="field__input" id="invite-language" name="language">
                                    <option value="zh-CN" selected=move || i18n.get_locale() == Locale::zh_CN>"中文"</option>
                                    <option value="en" selected=move || i18n.get_locale() == Locale::en>"English"</option>
                                </select>
                            </div>
                            <ConfirmStep button=send_label action="send-invitation".into()>
                                {if resend { t!(i18n, invite.resend_confirm).into_any() } else { t!(i18n, invite.send_confirm).into_any() }}
                            </ConfirmStep>
                        </ActionForm>
                    </ActionPanel>
                    {(open && v.may_invite).then(|| view! {
                        <ActionPanel name="revoke-invitation" label=text!(i18n, invite.revoke) danger=true>
                            <ActionForm action=revoke attr:class="action__form">
                                <input type="hidden" name="id" value=person_revoke.clone() />
                                <ConfirmStep button=text!(i18n, invite.revoke) action="revoke-invitation".into() danger=true>
                                    {t!(i18n, invite.revoke_confirm)}
                                </ConfirmStep>
                            </ActionForm>
                        </ActionPanel>
                    })}
                </div>
            })}
        </section>
    }
    .into_any()
}

/// When, by whom, to where, and how each message fared.
#[component]
fn InvitationFacts(info: InvitationInfo) -> impl IntoView {
    let i18n = use_i18n();
    let state = info.state.clone();
    let state_text = move || match state.as_str() {
        "open" => t_string!(i18n, invite.state_open),
        "expired" => t_string!(i18n, invite.state_expired),
        "revoked" => t_string!(i18n, invite.state_revoked),
        "replaced" => t_string!(i18n, invite.state_replaced),
        _ => t_string!(i18n, invite.state_accepted),
    };
    let rows = info
        .deliveries
        .clone()
        .into_iter()
        .map(|d| {
            let channel = if d.channel == "sms" {
                text!(i18n, invite.by_sms)
            } else {
                text!(i18n, invite.by_email)
            };
            let kind = if d.kind == "reminder" {
                text!(i18n, invite.kind_reminder)
            } else {
                text!(i18n, invite.kind_invitation)
            };
            let status = d.status.clone();
            let status_text = move || match status.as_str() {
                "queued" => t_string!(i18n, invite.delivery_queued),
                "failed" => t_string!(i18n, invite.delivery_failed),
                "expired" => t_string!(i18n, invite.delivery_expired),
                _ => t_string!(i18n, invite.delivery_sent),
            };
            view! {
                <tr data-delivery=d.status.clone()>
                    <td>{d.at.clone()}</td>
                    <td>{kind}</td>
                    <td>{channel}</td>
                    <td>
                        {status_text}
                        {d.error.clone().map(|e| view! { <span class="muted" translate="no">" · " {e}</span> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let any = !info.deliveries.is_empty();
    view! {
        <dl class="facts" data-state=info.state.clone()>
            <dt>{t!(i18n, invite.state)}</dt>
            <dd>{state_text}</dd>
            <dt>{t!(i18n, invite.invited_at)}</dt>
            <dd>
                {info.invited_at.clone()}
                {info.invited_by.clone().map(|b| view! { " · " <span translate="no">{b}</span> })}
            </dd>
            <dt>{t!(i18n, invite.sent_to)}</dt>
            <dd translate="no">
                {[info.email.clone(), info.mobile.clone()].into_iter().flatten().collect::<Vec<_>>().join(" · ")}
            </dd>
            <dt>{t!(i18n, invite.expires)}</dt>
            <dd>{info.expires_at.clone()}</dd>
            {info.accepted_at.clone().map(|at| view! {
                <dt>{t!(i18n, invite.accepted_at)}</dt>
                <dd>{at}</dd>
            })}
        </dl>
        {any.then(|| view! {
            <div class="table-wrap">
                <table class="table" data-part="deliveries">
                    <thead>
                        <tr>
                            <th>{t!(i18n, invite.delivery_at)}</th>
                            <th>{t!(i18n, invite.delivery_kind)}</th>
                            <th>{t!(i18n, invite.delivery_channel)}</th>
                            <th>{t!(i18n, invite.delivery_status)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        })}
    }
}
