"""A session as an iCalendar invitation (RFC 5545), for the invitee's own calendar.

There is no mail channel: invitations are shown in the app (start page, session list), and each
invitee can add the session to their calendar with this file. Calendars are not a safe place for
case data, so the invitation holds the date, place, online link and a link to the session page —
never a case reference, a name or the agenda.
"""

from __future__ import annotations

import re

from icalendar import Calendar, Event

from ret_app import audit
from ret_app.kernel.dates import utcnow
from ret_app.meetings.planning import ends_at
from ret_app.models import Meeting, MeetingStatus

# Control characters other than tab and line breaks have no place in a calendar text (RFC 5545
# §3.3.11 allows none); line breaks of any kind become one LF, which the library escapes as \n.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _text(value: str) -> str:
    return _LINE_BREAK.sub("\n", _CONTROL.sub(" ", value))


def invitation(meeting: Meeting, *, title: str, page_url: str, host: str) -> str:
    """The VCALENDAR text. `title` is the translated summary, `page_url` the session page (built from
    the configured base URL), `host` the base URL's host (the event's UID). The icalendar library
    escapes backslashes, semicolons, commas and line breaks in texts and folds long lines (RFC 5545
    §3.1, §3.3.11), so nothing typed into a session's place can add a property of its own."""
    calendar = Calendar()
    calendar.add("prodid", "-//RET//RET-overleg//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"ret-meeting-{meeting.id}@{host}")
    event.add("dtstamp", utcnow())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", ends_at(meeting))
    event.add("summary", _text(title))
    event.add("description", _text(page_url))
    event.add("url", page_url)
    event.add("sequence", meeting.version)
    event.add("status", "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED")
    place = ", ".join(_text(p) for p in (meeting.location, meeting.online_url) if p)
    if place:
        event.add("location", place)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def export(meeting: Meeting, *, title: str, page_url: str, host: str) -> str:
    """The invitation handed out for the user's calendar; the export is audited (no content)."""
    body = invitation(meeting, title=title, page_url=page_url, host=host)
    audit.record(audit.Action.EXPORT, object_type="meeting", object_id=meeting.id, detail="calendar")
    return body
