//! The document shell, the root component and the route table.
use crate::access::pages::AccessAdminPage;
use crate::approvals::pages::{
    DesignerPage, InboxPage, MyRequestsPage, NewRequestPage, RequestPage, TemplatesPage,
};
use crate::audit::{AdminAuditPage, OperatorAuditPage};
use crate::auth::{
    AccountBar, ForgotPage, MemberLoginPage, OperatorAccountsPage, OperatorLoginPage, ProvideMe,
    SecurityPage, SetupPage, SiteNav, VerifyPage,
};
use crate::contacts::{ContactsPage, EmployeeFormPage, EmployeePage, OrgChartPage};
use crate::deliveries::FailedDeliveriesPage;
use crate::home::{AdminHomePage, HomePage, OperatorHomePage};
use crate::i18n::*;
use crate::imports::{ImportJobPage, ImportPage};
use crate::invitations::{JoinLinkPage, JoinPage, JoinPosterPage, JoinRequestPage};
use crate::locale::{LOCALE_COOKIE, LOCALE_COOKIE_MAX_AGE_SECS};
use crate::me::{DirectoryPage, MePage};
use crate::registration::{
    AdministratorStepPage, DocumentsStepPage, LegalStepPage, OrganisationStepPage, RegisterPage,
    ResumePage, ReviewStepPage, StatusPage,
};
use crate::review::{ReviewDetailPage, ReviewQueuePage};
use crate::security::pages::{CheckupPage, SecuritySettingsPage};
use crate::ui::{
    ConsoleFrame, ConsoleHeader, ConsoleNav, ErrorPage, HeaderNav, Layout, NotFound, text,
};
use leptos::prelude::*;
use leptos_i18n::context::CookieOptions;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{A, Outlet};
use leptos_router::{
    Lazy, LazyRoute, SsrMode,
    components::{ParentRoute, Route, Router, Routes},
    lazy_route, path,
};

/// Every page but the home page is loaded when first visited: in the browser
/// build (`cargo leptos --split`) each is a file of its own (with files for
/// what several share), fetched together with the page's data, so a page
/// loads the shell and what it uses, not the whole application.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident;)*) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    ForgotRoute => ForgotPage;
    VerifyRoute => VerifyPage;
    MemberLoginRoute => MemberLoginPage;
    ResumeRoute => ResumePage;
    StatusRoute => StatusPage;
    ReviewStepRoute => ReviewStepPage;
    DocumentsStepRoute => DocumentsStepPage;
    LegalStepRoute => LegalStepPage;
    AdministratorStepRoute => AdministratorStepPage;
    OrganisationStepRoute => OrganisationStepPage;
    RegisterRoute => RegisterPage;
    SetupRoute => SetupPage;
    SecurityRoute => SecurityPage;
    OperatorLoginRoute => OperatorLoginPage;
    AdminHomeRoute => AdminHomePage;
    ContactsRoute => ContactsPage;
    OrgChartRoute => OrgChartPage;
    EmployeeFormRoute => EmployeeFormPage;
    EmployeeRoute => EmployeePage;
    AdminAuditRoute => AdminAuditPage;
    AccessAdminRoute => AccessAdminPage;
    SecuritySettingsRoute => SecuritySettingsPage;
    CheckupRoute => CheckupPage;
    OperatorHomeRoute => OperatorHomePage;
    OperatorAuditRoute => OperatorAuditPage;
    FailedDeliveriesRoute => FailedDeliveriesPage;
    OperatorAccountsRoute => OperatorAccountsPage;
    ReviewQueueRoute => ReviewQueuePage;
    ReviewDetailRoute => ReviewDetailPage;
    JoinRoute => JoinPage;
    JoinRequestRoute => JoinRequestPage;
    JoinLinkRoute => JoinLinkPage;
    JoinPosterRoute => JoinPosterPage;
    ImportRoute => ImportPage;
    ImportJobRoute => ImportJobPage;
    MeRoute => MePage;
    DirectoryRoute => DirectoryPage;
    MyRequestsRoute => MyRequestsPage;
    NewRequestRoute => NewRequestPage;
    RequestRoute => RequestPage;
    InboxRoute => InboxPage;
    TemplatesRoute => TemplatesPage;
    DesignerRoute => DesignerPage;
}

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
                                <Route path=path!("/register") view={Lazy::<RegisterRoute>::new()} />
                                <Route path=path!("/register/organisation") view={Lazy::<OrganisationStepRoute>::new()} />
                                <Route path=path!("/register/administrator") view={Lazy::<AdministratorStepRoute>::new()} />
                                <Route path=path!("/register/legal") view={Lazy::<LegalStepRoute>::new()} />
                                <Route path=path!("/register/documents") view={Lazy::<DocumentsStepRoute>::new()} />
                                <Route path=path!("/register/review") view={Lazy::<ReviewStepRoute>::new()} />
                                <Route path=path!("/register/status") view={Lazy::<StatusRoute>::new()} />
                                <Route path=path!("/register/resume") view={Lazy::<ResumeRoute>::new()} />
                                <Route path=path!("/login") view={Lazy::<MemberLoginRoute>::new()} />
                                <Route path=path!("/login/verify") view={Lazy::<VerifyRoute>::new()} />
                                <Route path=path!("/forgot") view={Lazy::<ForgotRoute>::new()} />
                                <Route path=path!("/setup") view={Lazy::<SetupRoute>::new()} />
                                <Route path=path!("/account/security") view={Lazy::<SecurityRoute>::new()} ssr=SsrMode::Async />
                                <Route path=path!("/operator/login") view={Lazy::<OperatorLoginRoute>::new()} />
                                <Route path=path!("/join") view={Lazy::<JoinRoute>::new()} />
                                <Route path=path!("/join/request") view={Lazy::<JoinRequestRoute>::new()} />
                                <Route path=path!("/me") view={Lazy::<MeRoute>::new()} ssr=SsrMode::Async />
                                <Route path=path!("/me/directory") view={Lazy::<DirectoryRoute>::new()} ssr=SsrMode::Async />
                                <Route path=path!("/me/requests") view={Lazy::<MyRequestsRoute>::new()} ssr=SsrMode::Async />
                                <Route path=path!("/me/requests/new/:template") view={Lazy::<NewRequestRoute>::new()} ssr=SsrMode::Async />
                                <Route path=path!("/me/requests/:id") view={Lazy::<RequestRoute>::new()} ssr=SsrMode::Async />
                                <Route path=path!("/me/approvals") view={Lazy::<InboxRoute>::new()} ssr=SsrMode::Async />
                                <ParentRoute path=path!("/admin") view=ConsoleShell ssr=SsrMode::Async>
                                    <Route path=path!("") view={Lazy::<AdminHomeRoute>::new()} />
                                    <Route path=path!("contacts") view={Lazy::<ContactsRoute>::new()} />
                                    <Route path=path!("contacts/chart") view={Lazy::<OrgChartRoute>::new()} />
                                    <Route path=path!("contacts/join") view={Lazy::<JoinLinkRoute>::new()} />
                                    <Route path=path!("contacts/join/poster") view={Lazy::<JoinPosterRoute>::new()} />
                                    <Route path=path!("contacts/import") view={Lazy::<ImportRoute>::new()} />
                                    <Route path=path!("contacts/import/:id") view={Lazy::<ImportJobRoute>::new()} />
                                    <Route path=path!("contacts/employees/new") view={Lazy::<EmployeeFormRoute>::new()} />
                                    <Route path=path!("contacts/employees/:id") view={Lazy::<EmployeeRoute>::new()} />
                                    <Route path=path!("contacts/employees/:id/edit") view={Lazy::<EmployeeFormRoute>::new()} />
                                    <Route path=path!("access") view={Lazy::<AccessAdminRoute>::new()} />
                                    <Route path=path!("approvals") view={Lazy::<TemplatesRoute>::new()} />
                                    <Route path=path!("approvals/:id") view={Lazy::<DesignerRoute>::new()} />
                                    <Route path=path!("security") view={Lazy::<SecuritySettingsRoute>::new()} />
                                    <Route path=path!("security/checkup") view={Lazy::<CheckupRoute>::new()} />
                                    <Route path=path!("audit") view={Lazy::<AdminAuditRoute>::new()} />
                                </ParentRoute>
                                <ParentRoute path=path!("/operator") view=OperatorShell ssr=SsrMode::Async>
                                    <Route path=path!("") view={Lazy::<OperatorHomeRoute>::new()} />
                                    <Route path=path!("audit") view={Lazy::<OperatorAuditRoute>::new()} />
                                    <Route path=path!("deliveries") view={Lazy::<FailedDeliveriesRoute>::new()} />
                                    <Route path=path!("accounts") view={Lazy::<OperatorAccountsRoute>::new()} />
                                    <Route path=path!("reviews") view={Lazy::<ReviewQueueRoute>::new()} />
                                    <Route path=path!("reviews/:id") view={Lazy::<ReviewDetailRoute>::new()} />
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
                ("/admin/access", text!(i18n, nav.access)),
                ("/admin/approvals", text!(i18n, nav.approvals)),
                ("/admin/security", text!(i18n, nav.org_security)),
                ("/admin/security/checkup", text!(i18n, nav.checkup)),
                ("/admin/audit", text!(i18n, nav.audit)),
                ("/me", text!(i18n, nav.me)),
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
    // A link is current below its path too, unless another link leads there.
    let hrefs: Vec<&'static str> = links.iter().map(|(href, _)| *href).collect();
    let links = links
        .into_iter()
        .enumerate()
        .map(|(i, (href, name))| {
            let exact = i == 0 || hrefs.iter().any(|h| h.starts_with(&format!("{href}/")));
            view! { <A href=href exact=exact>{name}</A> }
        })
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
