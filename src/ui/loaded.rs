//! A server answer on a page: loading, then its view or its error.
use super::AppErrorView;
use crate::error::AppError;
use crate::i18n::*;
use leptos::prelude::*;
use serde::{Serialize, de::DeserializeOwned};
use std::sync::Arc;

/// Shows `children` with the resource's value once it is loaded; a loading
/// line before, and the translated error if the call failed. While the
/// resource reloads (a new page, a new search) the old view stays.
///
/// ```ignore
/// <Loaded resource=page let:page>
///     <MemberTable page />
/// </Loaded>
/// ```
#[component]
pub fn Loaded<T, V, F>(resource: Resource<Result<T, AppError>>, children: F) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let children = Arc::new(children);
    view! {
        <Transition fallback=move || {
            view! { <p class="loading" aria-busy="true">{t!(i18n, common.loading)}</p> }
        }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => children(value).into_any(),
                        Err(error) => view! { <AppErrorView error /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
