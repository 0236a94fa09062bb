//! Events as iCalendar (RFC 5545): one event's file, and a person's feed of the events they have
//! a place at, which calendar applications poll. Times are in UTC, which every application shows
//! in its own time zone; a cancelled event stays in the feed as cancelled, so calendars remove it.

use chrono::{DateTime, Utc};
use cyberveilig_store::records::AwarenessEvent;
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};

fn host(link: &str) -> &str {
    link.split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', ':']).next())
        .filter(|h| !h.is_empty())
        .unwrap_or("cyberveilig")
}

fn ical_event(event: &AwarenessEvent, link: &str, now: DateTime<Utc>) -> Event {
    let mut ical = Event::new();
    ical.uid(&format!("awareness-event-{}@{}", event.id, host(link)))
        .timestamp(now)
        // Calendars take the highest SEQUENCE as the latest version: seconds since creation grow
        // with every change.
        .sequence(u32::try_from((event.updated_at - event.created_at).num_seconds().max(0)).unwrap_or(u32::MAX))
        .summary(&event.title)
        .description(&format!("{}\n\n{link}", event.description))
        .starts(event.starts_at)
        .ends(event.ends_at)
        .url(event.online_url.as_deref().unwrap_or(link));
    if let Some(place) = event.place.as_deref().or(event.online_url.as_deref()) {
        ical.location(place);
    }
    ical.status(if event.cancelled_at.is_some() {
        EventStatus::Cancelled
    } else {
        EventStatus::Confirmed
    });
    ical.done()
}

/// One event's .ics file.
pub fn event_calendar(event: &AwarenessEvent, link: &str, now: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new();
    calendar.name("cyberveilig").push(ical_event(event, link, now));
    calendar.done().to_string()
}

/// A person's feed: (event, its page) for each event they have a place at.
pub fn person_calendar(events: &[(AwarenessEvent, String)], now: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new();
    calendar.name("cyberveilig: mijn evenementen / my events");
    for (event, link) in events {
        calendar.push(ical_event(event, link, now));
    }
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use cyberveilig_domain::awareness::{Audience, EventKind};
    use icalendar::DatePerhapsTime;

    fn webinar() -> AwarenessEvent {
        let at = |d, h| Utc.with_ymd_and_hms(2021, 6, d, h, 0, 0).single().unwrap();
        AwarenessEvent {
            id: 7,
            kind: EventKind::Webinar,
            title: "Phishing: herkennen, melden; en dan?".into(),
            description: "Een webinar voor alle medewerkers,\nmet oefeningen.".into(),
            audience: vec![Audience::AllStaff],
            starts_at: at(22, 12),
            ends_at: at(22, 13),
            place: None,
            online_url: Some("https://webinar.example.be/phishing".into()),
            capacity: 100,
            registration_deadline: at(21, 12),
            open_to_others: false,
            organiser_id: 1,
            cancelled_at: None,
            cancelled_reason: None,
            created_at: at(1, 8),
            updated_at: at(2, 8),
        }
    }

    #[test]
    fn an_event_reads_back_from_its_ics() {
        let now = Utc.with_ymd_and_hms(2021, 6, 15, 8, 0, 0).single().unwrap();
        let text = event_calendar(&webinar(), "https://cyberveilig.example.be/awareness/7", now);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "CRLF lines as RFC 5545 says");
        assert!(text.contains("VERSION:2.0") && text.contains("PRODID:"), "{text}");
        let parsed: Calendar = text.parse().expect("the .ics parses");
        let event = parsed.events().next().expect("one event");
        assert_eq!(event.get_uid(), Some("awareness-event-7@cyberveilig.example.be"));
        assert_eq!(event.get_summary(), Some("Phishing: herkennen, melden; en dan?"));
        assert_eq!(event.get_start(), Some(DatePerhapsTime::from(webinar().starts_at)));
        assert_eq!(event.get_end(), Some(DatePerhapsTime::from(webinar().ends_at)));
        assert_eq!(event.get_location(), Some("https://webinar.example.be/phishing"));
        assert_eq!(event.get_url(), Some("https://webinar.example.be/phishing"));
        assert_eq!(event.get_timestamp(), Some(now));
        assert!(event.get_description().is_some_and(|d| d.contains("met oefeningen")));
        assert!(text.contains("STATUS:CONFIRMED"));
        assert!(text.contains("DTSTART:20210622T120000Z"), "{text}");
    }

    #[test]
    fn a_cancelled_event_stays_in_the_feed_as_cancelled() {
        let mut cancelled = webinar();
        cancelled.cancelled_at = Some(cancelled.updated_at);
        let now = cancelled.updated_at;
        let feed = person_calendar(
            &[
                (webinar(), "https://x.be/awareness/7".into()),
                (cancelled, "https://x.be/awareness/7".into()),
            ],
            now,
        );
        let parsed: Calendar = feed.parse().expect("the feed parses");
        assert_eq!(parsed.events().count(), 2);
        assert!(feed.contains("STATUS:CANCELLED"));
    }
}
