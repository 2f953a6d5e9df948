//! `/admin/contacts/chart`: the tree as a picture, from a chosen department,
//! with heads and headcounts; printable.
use super::contacts_href;
use crate::contacts::ChartNode;
use crate::contacts::api::contacts_chart;
use crate::i18n::*;
use crate::ui::Loaded;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;
use std::collections::HashMap;

#[component]
pub fn OrgChartPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let dept = move || query.read().get("dept").unwrap_or_default();
    let levels = move || {
        query
            .read()
            .get("levels")
            .and_then(|l| l.parse::<i32>().ok())
            .unwrap_or(3)
            .clamp(1, 8)
    };
    let chart = Resource::new(move || (dept(), levels()), |(d, l)| contacts_chart(d, l));
    view! {
        <Title text=crate::ui::page_title(move || t_string!(i18n, contacts.chart_title)) />
        <section class="page page--wide orgchart-page" data-page="org-chart">
            <header class="contacts__header no-print">
                <h1>{t!(i18n, contacts.chart_title)}</h1>
                <Form method="GET" action="/admin/contacts/chart" attr:class="orgchart__controls">
                    <input type="hidden" name="dept" value=dept />
                    <label for="chart-levels">{t!(i18n, contacts.chart_levels)}</label>
                    <select id="chart-levels" name="levels" class="field__input">
                        {(1..=8)
                            .map(|n| view! { <option value=n selected=move || levels() == n>{n}</option> })
                            .collect_view()}
                    </select>
                    <button type="submit" class="button">{t!(i18n, contacts.chart_show)}</button>
                </Form>
                <button
                    type="button"
                    class="button"
                    on:click=move |_| {
                        let _ = window().print();
                    }
                    data-action="print"
                >
                    {t!(i18n, contacts.print)}
                </button>
                <a class="button" href=move || contacts_href(&dept())>{t!(i18n, contacts.back_to_contacts)}</a>
            </header>
            <Loaded resource=chart let:nodes>
                <Chart nodes levels=levels() />
            </Loaded>
        </section>
    }
}

#[component]
fn Chart(nodes: Vec<ChartNode>, levels: i32) -> impl IntoView {
    let i18n = use_i18n();
    let count = nodes.len();
    let mut by_parent: HashMap<Option<String>, Vec<ChartNode>> = HashMap::new();
    let top = nodes.first().cloned();
    for n in nodes.into_iter().skip(1) {
        by_parent
            .entry(n.node.parent_id.clone())
            .or_default()
            .push(n);
    }
    view! {
        <p class="muted no-print">{t!(i18n, contacts.chart_summary, count = count, levels = levels)}</p>
        <div class="orgchart" data-chart-boxes=count>
            <ul>{top.map(|t| chart_box(t, &by_parent))}</ul>
        </div>
    }
}

fn chart_box(n: ChartNode, by_parent: &HashMap<Option<String>, Vec<ChartNode>>) -> AnyView {
    let i18n = use_i18n();
    let kids = by_parent
        .get(&Some(n.node.id.clone()))
        .cloned()
        .unwrap_or_default();
    let hidden = n.node.child_count as usize > kids.len();
    let heads = n.heads.join(", ");
    let headcount = n.node.headcount;
    view! {
        <li>
            <div class="orgchart__box" data-chart-department=n.node.name.clone()>
                <a class="orgchart__name" href=format!("/admin/contacts/chart?dept={}", n.node.id)>
                    {n.node.name.clone()}
                </a>
                <span class="orgchart__heads">
                    {if heads.is_empty() { "—".to_owned() } else { heads }}
                </span>
                <span class="orgchart__count">{t!(i18n, contacts.people, count = move || headcount)}</span>
                {hidden
                    .then(|| {
                        view! {
                            <span class="orgchart__more">
                                {t!(i18n, contacts.chart_more, count = n.node.child_count)}
                            </span>
                        }
                    })}
            </div>
            {(!kids.is_empty())
                .then(|| {
                    view! {
                        <ul>{kids.into_iter().map(|k| chart_box(k, by_parent)).collect_view()}</ul>
                    }
                })}
        </li>
    }
    .into_any()
}
