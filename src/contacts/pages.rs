use leptos::prelude::*;
#[component]
pub fn ContactsPage() -> impl IntoView { view! { <p>"contacts"</p> } }
#[component]
pub fn EmployeePage() -> impl IntoView { view! { <p>"e"</p> } }
#[component]
pub fn EmployeeEditPage() -> impl IntoView { view! { <p>"e"</p> } }
#[component]
pub fn NewEmployeePage() -> impl IntoView { view! { <p>"e"</p> } }
#[component]
pub fn OrgChartPage() -> impl IntoView { view! { <p>"e"</p> } }
