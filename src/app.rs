//! The document shell, the root component and the route table.
use crate::audit::{AdminAuditPage, OperatorAuditPage};
use crate::auth::{
    AccountBar, ForgotPage, MemberLoginPage, OperatorAccountsPage, OperatorLoginPage, ProvideMe,
    SecurityPage, SetupPage, SiteNav, VerifyPage,
};
use crate::contacts::{ContactsPage, EmployeeFormPage, EmployeePage, OrgChartPage};
use crate::home::{AdminHomePage, HomePage, OperatorHomePage};
use crate::i18n::*;
use crate::locale::{LOCALE_COOKIE, LOCALE_COOKIE_MAX_AGE_SECS};
use crate::registration::{
    AdministratorStepPage, DocumentsStepPage, LegalStepPage, OrganisationStepPage, RegisterPage,
    ResumePage, ReviewStepPage, StatusPage,
};
use crate::review::{ReviewDetailPage, ReviewQueuePage};
use crate::ui::{
    ComingSoon, ConsoleFrame, ConsoleHeader, ConsoleNav, ErrorPage, HeaderNav, Layout, NotFound,
    text,
};
use leptos::prelude::*;
use leptos_i18n::context::CookieOptions;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{A, Outlet};
use leptos_router::{
    SsrMode,
    components::{ParentRoute, Route, Router, Routes},
    path,
};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    provide_csp_nonce();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.ico" sizes="any" />
                <AutoReload options=options.clone() />
                <HydrationScripts options=options.clone() />
                <HashedStylesheet options id="leptos" />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Stamps the request's CSP nonce (set by the security middleware) on the
/// inline scripts Leptos writes into the page.
#[cfg(feature = "ssr")]
fn provide_csp_nonce() {
    use crate::server::security::CspNonce;
    if let Some(parts) = use_context::<http::request::Parts>()
        && let Some(nonce) = parts.extensions.get::<CspNonce>()
    {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0.as_str()));
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let cookie_options = CookieOptions::<Locale>::default()
        .path("/")
        .max_age(LOCALE_COOKIE_MAX_AGE_SECS * 1000)
        .same_site(leptos_use::SameSite::Lax);
    view! {
        <I18nContextProvider cookie_name=LOCALE_COOKIE cookie_options>
            <Title formatter=|text: String| {
                if text.is_empty() { "Orgdesk".to_string() } else { format!("{text} · Orgdesk") }
            } />
            <Router>
                <ProvideMe>
                    <Layout>
                        <HeaderNav slot>
                            <SiteNav />
                        </HeaderNav>
                        <ErrorBoundary fallback=|errors| view! { <ErrorPage errors /> }>
                            <Routes fallback=NotFound>
                                <Route path=path!("/") view=HomePage />
                                <Route path=path!("/register") view=RegisterPage />
                                <Route path=path!("/register/organisation") view=OrganisationStepPage />
                                <Route path=path!("/register/administrator") view=AdministratorStepPage />
                                <Route path=path!("/register/legal") view=LegalStepPage />
                                <Route path=path!("/register/documents") view=DocumentsStepPage />
                                <Route path=path!("/register/review") view=ReviewStepPage />
                                <Route path=path!("/register/status") view=StatusPage />
                                <Route path=path!("/register/resume") view=ResumePage />
                                <Route path=path!("/login") view=MemberLoginPage />
                                <Route path=path!("/login/verify") view=VerifyPage />
                                <Route path=path!("/forgot") view=ForgotPage />
                                <Route path=path!("/setup") view=SetupPage />
                                <Route path=path!("/account/security") view=SecurityPage ssr=SsrMode::Async />
                                <Route path=path!("/operator/login") view=OperatorLoginPage />
                                <ParentRoute path=path!("/admin") view=ConsoleShell ssr=SsrMode::Async>
                                    <Route path=path!("") view=AdminHomePage />
                                    <Route path=path!("contacts") view=ContactsPage />
                                    <Route path=path!("contacts/chart") view=OrgChartPage />
                                    <Route path=path!("contacts/employees/new") view=EmployeeFormPage />
                                    <Route path=path!("contacts/employees/:id") view=EmployeePage />
                                    <Route path=path!("contacts/employees/:id/edit") view=EmployeeFormPage />
                                    <Route path=path!("access") view=ComingSoon />
                                    <Route path=path!("approvals") view=ComingSoon />
                                    <Route path=path!("security") view=ComingSoon />
                                    <Route path=path!("audit") view=AdminAuditPage />
                                </ParentRoute>
                                <ParentRoute path=path!("/operator") view=OperatorShell ssr=SsrMode::Async>
                                    <Route path=path!("") view=OperatorHomePage />
                                    <Route path=path!("audit") view=OperatorAuditPage />
                                    <Route path=path!("deliveries") view=crate::deliveries::FailedDeliveriesPage />
                                    <Route path=path!("accounts") view=OperatorAccountsPage />
                                    <Route path=path!("reviews") view=ReviewQueuePage />
                                    <Route path=path!("reviews/:id") view=ReviewDetailPage />
                                </ParentRoute>
                            </Routes>
                        </ErrorBoundary>
                    </Layout>
                </ProvideMe>
            </Router>
        </I18nContextProvider>
    }
}

/// The platform operator's console.
#[component]
fn OperatorShell() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Console
            label=text!(i18n, nav.operator)
            class="console--operator"
            links=vec![
                ("/operator", text!(i18n, nav.overview)),
                ("/operator/reviews", text!(i18n, nav.reviews)),
                ("/operator/accounts", text!(i18n, nav.accounts)),
                ("/operator/audit", text!(i18n, nav.audit)),
                ("/operator/deliveries", text!(i18n, nav.deliveries)),
            ]
        />
    }
}

/// The organisation administrator's console.
#[component]
fn ConsoleShell() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Console
            label=text!(i18n, nav.console)
            links=vec![
                ("/admin", text!(i18n, nav.overview)),
                ("/admin/contacts", text!(i18n, nav.contacts)),
                ("/admin/audit", text!(i18n, nav.audit)),
            ]
        />
    }
}

/// A console: its nav `links` (the first is its home page, current only
/// there; the others also below their path), the account bar, then the page.
#[component]
fn Console(
    label: Signal<String>,
    #[prop(optional)] class: &'static str,
    links: Vec<(&'static str, Signal<String>)>,
) -> impl IntoView {
    let links = links
        .into_iter()
        .enumerate()
        .map(|(i, (href, name))| view! { <A href=href exact={i == 0}>{name}</A> })
        .collect_view();
    view! {
        <ConsoleFrame label=label class=class>
            <ConsoleNav slot>{links}</ConsoleNav>
            <ConsoleHeader slot>
                <AccountBar />
            </ConsoleHeader>
            <Outlet />
        </ConsoleFrame>
    }
}
