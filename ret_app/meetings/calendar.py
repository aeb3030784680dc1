"""A session as an iCalendar invitation (RFC 5545), for the invitee's own calendar.

There is no mail channel: invitations are shown in the app (start page, session list), and each
invitee can add the session to their calendar with this file. Calendars are not a safe place for
case data, so the invitation holds the date, place, online link and a link to the session page —
never a case reference, a name or the agenda.
"""

from __future__ import annotations

from datetime import datetime, timezone

from ret_app import audit
from ret_app.kernel.dates import utcnow
from ret_app.meetings.planning import ends_at
from ret_app.models import Meeting, MeetingStatus


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _fold(line: str) -> list[str]:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 §3.1)."""
    out, current = [], ""
    for char in line:
        if len((current + char).encode("utf-8")) > 75:
            out.append(current)
            current = " " + char
        else:
            current += char
    out.append(current)
    return out


def invitation(meeting: Meeting, *, title: str, page_url: str, host: str) -> str:
    """The VCALENDAR text. `title` is the translated summary, `page_url` the session page."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//RET//RET-overleg//NL",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:ret-meeting-{meeting.id}@{host}",
        f"DTSTAMP:{_utc(utcnow())}",
        f"DTSTART:{_utc(meeting.starts_at)}",
        f"DTEND:{_utc(ends_at(meeting))}",
        f"SUMMARY:{_escape(title)}",
        f"DESCRIPTION:{_escape(page_url)}",
        f"URL:{page_url}",
        f"SEQUENCE:{meeting.version}",
        "STATUS:" + ("CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED"),
    ]
    place = ", ".join(p for p in (meeting.location, meeting.online_url) if p)
    if place:
        lines.append(f"LOCATION:{_escape(place)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(folded for line in lines for folded in _fold(line)) + "\r\n"


def export(meeting: Meeting, *, title: str, page_url: str, host: str) -> str:
    """The invitation handed out for the user's calendar; the export is audited (no content)."""
    body = invitation(meeting, title=title, page_url=page_url, host=host)
    audit.record(audit.Action.EXPORT, object_type="meeting", object_id=meeting.id, detail="calendar")
    return body
