//! Times as people read them: in a named time zone, with the zone said, so
//! "14:30" is never ambiguous. Formatted on the server, so the page the
//! server renders and the page the browser takes over say the same.
use chrono::{DateTime, Utc};
pub use chrono_tz::Tz;

/// Where Orgdesk's people mostly are; the default of organisations and of
/// the platform (`ORGDESK_TIME_ZONE`).
pub const DEFAULT_ZONE: Tz = chrono_tz::Asia::Shanghai;

/// `name` as a zone, when it is one of the IANA database.
pub fn parse_zone(name: &str) -> Option<Tz> {
    name.trim().parse().ok()
}

/// "2026-12-03 22:30 Asia/Shanghai".
pub fn local(at: DateTime<Utc>, zone: Tz) -> String {
    format!(
        "{} {}",
        at.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
        zone.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_the_zone_and_name_it() {
        let at: DateTime<Utc> = "2026-12-03T14:30:00Z".parse().unwrap();
        assert_eq!(local(at, DEFAULT_ZONE), "2026-12-03 22:30 Asia/Shanghai");
        let berlin = parse_zone("Europe/Berlin").unwrap();
        assert_eq!(local(at, berlin), "2026-12-03 15:30 Europe/Berlin");
        // Summer time where the zone has it.
        let july: DateTime<Utc> = "2026-07-01T12:00:00Z".parse().unwrap();
        assert_eq!(local(july, berlin), "2026-07-01 14:00 Europe/Berlin");
        assert!(parse_zone("Mars/Olympus").is_none());
    }
}
