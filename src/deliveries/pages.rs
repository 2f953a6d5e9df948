//! `/operator/deliveries`: messages that could not be delivered.
use super::FailedDelivery;
use super::api::load_failed_deliveries;
use crate::i18n::*;
use crate::ui::{AppErrorView, CursorPager, Loaded, Table, columns, text};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

const BASE: &str = "/operator/deliveries";

#[component]
pub fn FailedDeliveriesPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let before = move || query.read().get("before").filter(|b| !b.is_empty());
    let page = Resource::new(before, load_failed_deliveries);
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, deliveries.title)) />
        <section class="page" data-page="deliveries">
            <h1>{t!(i18n, deliveries.title)}</h1>
            <p class="page__lead">{t!(i18n, deliveries.lead)}</p>
            <Loaded resource=page let:page>
                {
                    let columns = columns![i18n; deliveries.queued_at, deliveries.channel, deliveries.recipient, deliveries.message, deliveries.attempts, deliveries.last_error];
                    let total = page.total;
                    let any = !page.entries.is_empty();
                    let older = page.next_before.map(|b| format!("{BASE}?before={b}"));
                    let newest = before().is_some().then(|| BASE.to_owned());
                    view! {
                        {any
                            .then(|| {
                                view! {
                                    <p data-testid="failed-total">
                                        {t!(i18n, deliveries.total, count = move || total)}
                                    </p>
                                }
                            })}
                        <Table
                            name="deliveries"
                            columns
                            rows=page.entries
                            row=|d| view! { <DeliveryRow delivery=d /> }
                            empty=text!(i18n, deliveries.empty)
                        />
                        {any.then(|| view! { <CursorPager newest older /> })}
                    }
                }
            </Loaded>
        </section>
    }
}

#[component]
fn DeliveryRow(delivery: FailedDelivery) -> impl IntoView {
    let i18n = use_i18n();
    let channel = delivery.channel.clone();
    let error = delivery.last_error.unwrap_or_else(|| "-".into());
    view! {
        <tr>
            <td>
                <time datetime=delivery
                    .queued_at
                    .clone()>{delivery.queued_at_local}</time>
            </td>
            <td>
                {move || {
                    if channel == "sms" {
                        t_string!(i18n, deliveries.sms)
                    } else {
                        t_string!(i18n, deliveries.email)
                    }
                }}
            </td>
            <td class="table__mono" translate="no">{delivery.recipient}</td>
            <td class="table__mono" translate="no">{delivery.template}</td>
            <td>{delivery.attempts}</td>
            // The transport's own words.
            <td class="table__clip" translate="no" title=error.clone()>{error.clone()}</td>
        </tr>
    }
}

/// The operator home's card: how many messages were given up on.
#[component]
pub fn FailedDeliveriesCard() -> impl IntoView {
    let i18n = use_i18n();
    let failed = Resource::new(|| (), |_| load_failed_deliveries(None));
    view! {
        <li class="card" data-testid="failed-deliveries-card">
            <A href=BASE>{t!(i18n, deliveries.title)}</A>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match failed.await {
                        Ok(page) if page.total == 0 => {
                            view! { <p>{t!(i18n, operator.deliveries_body)}</p> }.into_any()
                        }
                        Ok(page) => {
                            let total = page.total;
                            view! {
                                <p class="card__alert">
                                    {t!(i18n, deliveries.total, count = move || total)}
                                </p>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <AppErrorView error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </li>
    }
}
