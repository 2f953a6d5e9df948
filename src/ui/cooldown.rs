//! A wait the server asked for, counted down in the browser.
use crate::error::AppError;
use leptos::prelude::*;

/// Seconds until the server takes the next request, counted from the moment
/// its answer arrived (a deadline on the browser's clock, not a count of
/// ticks, so the wait never ends early). One `Cooldown` drives both the button
/// that waits and the message that says how long.
#[derive(Clone, Copy)]
pub struct Cooldown {
    /// When the wait ends, in milliseconds of the browser's clock.
    until: RwSignal<f64>,
    /// Whole seconds left, rounded up; 0 when the server takes requests again.
    left: RwSignal<u64>,
}

impl Default for Cooldown {
    fn default() -> Self {
        Self::new()
    }
}

impl Cooldown {
    /// A cooldown whose ticker stops with the component that made it.
    pub fn new() -> Self {
        let cooldown = Cooldown {
            until: RwSignal::new(0.0),
            left: RwSignal::new(0),
        };
        #[cfg(feature = "hydrate")]
        {
            let ticker = set_interval_with_handle(
                move || cooldown.tick(),
                std::time::Duration::from_millis(250),
            );
            on_cleanup(move || {
                if let Ok(ticker) = ticker {
                    ticker.clear();
                }
            });
        }
        cooldown
    }

    fn now() -> f64 {
        #[cfg(feature = "hydrate")]
        {
            js_sys::Date::now()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            0.0
        }
    }

    fn tick(self) {
        let Some(until) = self.until.try_get_untracked() else {
            return;
        };
        let ms = until - Self::now();
        let left = if ms > 0.0 {
            (ms / 1000.0).ceil() as u64
        } else {
            0
        };
        if self.left.try_get_untracked() != Some(left) {
            self.left.try_set(left);
        }
    }

    /// Waits `secs` from now.
    pub fn start(self, secs: u64) {
        self.until.set(Self::now() + secs as f64 * 1000.0);
        self.tick();
    }

    /// Follows an action's answer: the wait a refusal names, or the one
    /// `after` reads from a success.
    pub fn follow<T>(self, answer: Option<Result<T, AppError>>, after: impl Fn(&T) -> u64) {
        match answer {
            Some(Ok(value)) => self.start(after(&value)),
            Some(Err(error)) => {
                if let Some(secs) = error.retry_after_secs() {
                    self.start(secs);
                }
            }
            None => {}
        }
    }

    /// Seconds left (reactive); 0 once requests are taken again.
    pub fn left(self) -> u64 {
        self.left.get()
    }

    /// Whether a wait has been started in this page (reactive).
    pub fn started(self) -> bool {
        self.until.get() > 0.0
    }

    /// Whether the wait is still on (reactive).
    pub fn waiting(self) -> bool {
        self.left() > 0
    }
}
