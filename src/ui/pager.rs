//! Moving through a long list: numbered pages, or newest-first cursors.
use crate::i18n::*;
use leptos::prelude::*;
use leptos_router::components::A;

/// "Previous · Page 2 of 7 · Next" under a numbered list; nothing when the
/// list fits on one page. `href(n)` is the address of page `n`.
#[component]
pub fn Pager<H>(page: i64, pages: i64, href: H) -> impl IntoView
where
    H: Fn(i64) -> String + 'static,
{
    let i18n = use_i18n();
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label=move || t_string!(i18n, pager.label)>
                {(page > 1)
                    .then(|| view! { <a href=href(page - 1) rel="prev">{t!(i18n, pager.previous)}</a> })}
                <span>{t!(i18n, pager.page_of, page = page, pages = pages)}</span>
                {(page < pages)
                    .then(|| view! { <a href=href(page + 1) rel="next">{t!(i18n, pager.next)}</a> })}
            </nav>
        }
    })
}

/// "Newest · Older" under a list read newest first, page by page from a
/// cursor: `newest` when the reader has moved away from the first page,
/// `older` when there is more.
#[component]
pub fn CursorPager(newest: Option<String>, older: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="pager" aria-label=move || t_string!(i18n, pager.label)>
            {newest.map(|href| view! { <A href=href>{t!(i18n, pager.newest)}</A> })}
            {older.map(|href| view! { <A href=href attr:rel="next">{t!(i18n, pager.older)}</A> })}
        </nav>
    }
}
