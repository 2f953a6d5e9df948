//! A data table with its header, its rows and what to say when it is empty.
use leptos::prelude::*;

/// Columns titled by locale keys, in order:
/// `columns![i18n; audit.at, audit.action]`.
macro_rules! columns {
    ($i18n:ident; $($key:ident . $name:ident),+ $(,)?) => {
        vec![$($crate::ui::text!($i18n, $key.$name)),+]
    };
}
pub(crate) use columns;

/// Rows under headers, in a box that scrolls sideways on a phone. With no
/// rows, `empty` is said instead (`data-empty=name`).
///
/// `name` marks the table for tests and styles: `data-table=name` and
/// `data-testid="{name}-table"`. `row` draws one `<tr>`.
#[component]
pub fn Table<T, R, V>(
    name: &'static str,
    /// The header of each column, in order (see `columns!`).
    columns: Vec<Signal<String>>,
    rows: Vec<T>,
    row: R,
    #[prop(into)] empty: Signal<String>,
) -> impl IntoView
where
    T: 'static,
    R: Fn(T) -> V + 'static,
    V: IntoView + 'static,
{
    if rows.is_empty() {
        return view! { <p class="empty" data-empty=name>{move || empty.get()}</p> }.into_any();
    }
    view! {
        <div class="table-wrap" tabindex="0">
            <table class="table" data-table=name data-testid=format!("{name}-table")>
                <thead>
                    <tr>
                        {columns
                            .into_iter()
                            .map(|c| {
                                view! { <th scope="col">{move || c.get()}</th> }
                            })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>{rows.into_iter().map(row).collect_view()}</tbody>
            </table>
        </div>
    }
    .into_any()
}
