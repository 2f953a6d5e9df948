//! Unsaved work: leaving the page asks first, whether by closing or
//! reloading it (the browser's own question) or by following a link inside
//! the app (which the router would otherwise follow without a word).
use leptos::prelude::*;

/// While `dirty` holds, closing or reloading the page asks the browser's
/// question, and a click on a link to another page asks `question()`.
pub fn guard_unsaved(dirty: Signal<bool>, question: impl Fn() -> String + Send + Sync + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use send_wrapper::SendWrapper;
        use wasm_bindgen::{JsCast, closure::Closure};

        let unload = window_event_listener(leptos::ev::beforeunload, move |e| {
            if dirty.try_get_untracked().unwrap_or(false) {
                e.prevent_default();
                e.set_return_value("");
            }
        });
        // The router follows links from a listener on the window; this one
        // listens while the click travels down (capture), so it is heard
        // first and can stop the click before the router sees it.
        let on_click =
            Closure::<dyn Fn(web_sys::MouseEvent)>::new(move |e: web_sys::MouseEvent| {
                if !dirty.try_get_untracked().unwrap_or(false) || leaves_page(&e).is_none() {
                    return;
                }
                if !window()
                    .confirm_with_message(&untrack(&question))
                    .unwrap_or(true)
                {
                    e.prevent_default();
                    e.stop_propagation();
                }
            });
        let _ = window().add_event_listener_with_callback_and_bool(
            "click",
            on_click.as_ref().unchecked_ref(),
            true,
        );
        let on_click = SendWrapper::new(on_click);
        on_cleanup(move || {
            unload.remove();
            let _ = window().remove_event_listener_with_callback_and_bool(
                "click",
                on_click.as_ref().unchecked_ref(),
                true,
            );
        });

        /// The address a plain click goes to, when it is a link the router
        /// would follow: to this site, in this tab. Anything else the
        /// browser loads itself, and the browser's own question (above)
        /// covers it.
        fn leaves_page(e: &web_sys::MouseEvent) -> Option<String> {
            if e.button() != 0 || e.meta_key() || e.ctrl_key() || e.shift_key() || e.alt_key() {
                return None;
            }
            let link = e
                .target()?
                .dyn_into::<web_sys::Element>()
                .ok()?
                .closest("a[href]")
                .ok()??;
            // HTML links only (an SVG link's tag name is lower case), and
            // as the router: no target, no download, not rel="external".
            if link.tag_name() != "A"
                || link.has_attribute("download")
                || link.get_attribute("target").is_some_and(|t| !t.is_empty())
                || link
                    .get_attribute("rel")
                    .is_some_and(|r| r.split_ascii_whitespace().any(|w| w == "external"))
            {
                return None;
            }
            let href = link.get_attribute("href")?;
            let origin = window().location().origin().ok()?;
            let here = match href.strip_prefix(origin.as_str()) {
                Some(rest) => rest.is_empty() || rest.starts_with(['/', '?', '#']),
                // Relative to this page, not another site (`//host`) or
                // scheme (`mailto:`).
                None => {
                    !href.starts_with("//") && !href.split(['/', '?', '#']).next()?.contains(':')
                }
            };
            (here && !href.starts_with('#')).then_some(href)
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (dirty, question);
    }
}
