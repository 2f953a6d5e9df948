//! The frame of a console (the administrator's, the operator's) and the
//! pieces its pages share: home cards and action panels.
use leptos::prelude::*;
use leptos_router::components::A;

/// The section links of a console, beside its content.
#[slot]
pub struct ConsoleNav {
    children: Children,
}

/// What sits above every page of a console (who is signed in, notices).
#[slot]
pub struct ConsoleHeader {
    children: Children,
}

/// A console: its navigation (labelled `label` for screen readers), its
/// header, then the page.
#[component]
pub fn ConsoleFrame(
    #[prop(into)] label: Signal<String>,
    /// An extra class on the frame, e.g. `console--operator`.
    #[prop(optional)]
    class: &'static str,
    console_nav: ConsoleNav,
    #[prop(optional)] console_header: Option<ConsoleHeader>,
    children: Children,
) -> impl IntoView {
    let class = if class.is_empty() {
        "console".to_owned()
    } else {
        format!("console {class}")
    };
    view! {
        <div class=class>
            <nav class="console__nav" aria-label=move || label.get()>
                {(console_nav.children)()}
            </nav>
            <div class="console__content">
                {console_header.map(|h| (h.children)())}
                {children()}
            </div>
        </div>
    }
}

/// One card of a console's first page: where it leads and what is there.
pub struct HomeCard {
    pub href: &'static str,
    pub title: Signal<String>,
    pub body: Signal<String>,
}

impl HomeCard {
    pub fn new(href: &'static str, title: Signal<String>, body: Signal<String>) -> Self {
        Self { href, title, body }
    }
}

/// The cards of a console's first page, then any cards of its own
/// (`children`, e.g. one that loads a count).
#[component]
pub fn HomeCards(
    cards: Vec<HomeCard>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <ul class="cards">
            {cards
                .into_iter()
                .map(|c| {
                    view! {
                        <li class="card">
                            <A href=c.href>{move || c.title.get()}</A>
                            <p>{move || c.body.get()}</p>
                        </li>
                    }
                })
                .collect_view()}
            {children.map(|c| c())}
        </ul>
    }
}

/// An action that opens in place: a button that shows its form. Works
/// without JavaScript (a `<details>` element) and with the keyboard.
/// `danger` marks actions that remove or disable something; their form
/// should end in a [`ConfirmStep`].
#[component]
pub fn ActionPanel(
    /// Marks the panel for tests: `data-action-panel=name`.
    name: &'static str,
    #[prop(into)] label: Signal<String>,
    #[prop(optional)] danger: bool,
    #[prop(optional, into)] open: Signal<bool>,
    children: Children,
) -> impl IntoView {
    let (class, button) = if danger {
        ("action action--danger", "button button--danger")
    } else {
        ("action", "button")
    };
    view! {
        <details class=class data-action-panel=name open=move || open.get()>
            <summary class=button>{move || label.get()}</summary>
            {children()}
        </details>
    }
}

/// The last step of a destructive action: what will happen, said plainly,
/// and the button that does it (`data-action=action`).
#[component]
pub fn ConfirmStep(
    #[prop(into)] button: Signal<String>,
    action: String,
    #[prop(optional)] danger: bool,
    /// What happens, naming what it happens to.
    children: Children,
) -> impl IntoView {
    let class = if danger {
        "button button--danger"
    } else {
        "button button--primary"
    };
    view! {
        <p>{children()}</p>
        <button type="submit" class=class data-action=action>
            {move || button.get()}
        </button>
    }
}
