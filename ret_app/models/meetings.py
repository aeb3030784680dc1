"""RET sessions ("RET-overleg"): agenda items per case, invitations, attendance, decisions (with the
mandate used), actions and the minutes' addenda.

In code a RET session is a *meeting*, so that it is never confused with the web session of a
signed-in user (`ret_app/sessions.py`, table `web_session`).
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ret_app.models.base import Base, StoredPdfMixin, TimestampMixin, UTCDateTime, utcnow
from ret_app.models.cases import Case
from ret_app.models.mandates import Mandate
from ret_app.models.organisations import Municipality, Organisation, Region
from ret_app.models.users import User


class MeetingStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"  # minutes drafted, the chair may still correct them
    APPROVED = "approved"  # minutes approved: read-only, corrections are addenda
    CANCELLED = "cancelled"


class ItemPurpose(enum.StrEnum):
    INTAKE = "intake"
    SCREENING = "screening"
    PROGRESS = "progress"
    PLACEMENT_REVIEW = "placement_review"
    CLOSING = "closing"


class DecisionKind(enum.StrEnum):
    GENERAL = "general"  # advice, agreement, next step: needs no mandate
    COMMITS_HELP = "commits_help"  # commits help (care type, provider, amount): needs a mandate


class DecisionStatus(enum.StrEnum):
    RECORDED = "recorded"  # a general decision
    BINDING = "binding"  # committed help, a present mandate holder covered it
    PROVISIONAL = "provisional"  # onder voorbehoud: the municipality still has to answer
    CONFIRMED = "confirmed"  # the municipality confirmed a provisional decision
    REFUSED = "refused"  # the municipality refused a provisional decision


class PlacementOutcome(enum.StrEnum):
    PREVENTED = "prevented"
    PLACED = "placed"
    POSTPONED = "postponed"


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class Meeting(TimestampMixin, Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    chair_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=120)
    location: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    # The planning form's key: the same form sent twice plans one session.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=MeetingStatus.PLANNED.value, index=True)
    # The item under discussion. A plain id, not a foreign key: meeting and meeting_item would
    # otherwise reference each other (a cycle for table creation and deletion order).
    current_item_id: Mapped[Optional[int]] = mapped_column(Integer)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    approved_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[Optional[str]] = mapped_column(Text)
    # What the minutes said when the chair approved them, where it can still change afterwards
    # (action statuses, the municipality's answers): {"actions": {id: status}, "decisions": {id: status}}.
    approved_state: Mapped[Optional[dict]] = mapped_column(JSON)
    # Bumped (atomically, in SQL) by every change of the meeting, its items, attendance,
    # decisions and actions: the live page polls it and fetches nothing while it stands still.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # Optimistic locking for edits of the meeting's own fields (details, status).
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    region: Mapped[Region] = relationship()
    chair: Mapped[User] = relationship(foreign_keys=[chair_id])
    approved_by: Mapped[Optional[User]] = relationship(foreign_keys=[approved_by_id])
    items: Mapped[list["MeetingItem"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingItem.position",
        foreign_keys="MeetingItem.meeting_id")
    invitations: Mapped[list["MeetingInvitation"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingInvitation.id")
    attendances: Mapped[list["MeetingAttendance"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingAttendance.id")
    addenda: Mapped[list["MinutesAddendum"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MinutesAddendum.id")


class MeetingItem(Base):
    """An agenda item: one case, one purpose, in an order; notes and timing when discussed."""

    __tablename__ = "meeting_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(24))
    position: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    notes_updated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    notes_updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    started_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # Seconds spent on earlier visits (an item can be reopened); the running visit is started_at..now.
    seconds_spent: Mapped[int] = mapped_column(Integer, default=0)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    meeting: Mapped[Meeting] = relationship(back_populates="items", foreign_keys=[meeting_id])
    case: Mapped[Case] = relationship()
    notes_updated_by: Mapped[Optional[User]] = relationship(foreign_keys=[notes_updated_by_id])
    decisions: Mapped[list["Decision"]] = relationship(
        back_populates="item", cascade="all, delete-orphan", order_by="Decision.id")
    actions: Mapped[list["CaseAction"]] = relationship(back_populates="item", order_by="CaseAction.id")

    __table_args__ = (UniqueConstraint("meeting_id", "case_id", name="one_item_per_case"),)


class MeetingInvitation(Base):
    """Who is invited: the region's RET (chair and members), and per agenda item the case's
    caseworker and participants. Written by the planning service, never by hand."""

    __tablename__ = "meeting_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="invitations")
    user: Mapped[User] = relationship()

    __table_args__ = (UniqueConstraint("meeting_id", "user_id", name="one_invitation_per_user"),)


class MeetingAttendance(Base):
    """Check-in at a session: present (or left again). The mandate check reads who is present."""

    __tablename__ = "meeting_attendance"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    present: Mapped[bool] = mapped_column(Boolean, default=True)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when someone who was present checks out (the minutes say they attended until then);
    # None while present, or when marked absent without ever having been present.
    left_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")
    user: Mapped[User] = relationship(foreign_keys=[user_id])

    __table_args__ = (UniqueConstraint("meeting_id", "user_id", name="one_attendance_per_user"),)


class Decision(Base):
    """A decision on an agenda item. One that commits help is binding only when a present attendee
    held a covering mandate of the case's municipality on the session date (`mandate_id`);
    otherwise it is provisional until the municipality answers."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("meeting_item.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    care_type: Mapped[Optional[str]] = mapped_column(String(32))
    provider_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation.id"))
    amount_eur: Mapped[Optional[Decimal]] = mapped_column(Numeric(12, 2))
    status: Mapped[str] = mapped_column(String(16), index=True)
    mandate_id: Mapped[Optional[int]] = mapped_column(ForeignKey("mandate.id"))
    # Why no mandate covered it (machine code, e.g. "no_holder_present", "ceiling"), for the page.
    mandate_finding: Mapped[Optional[str]] = mapped_column(String(32))

    # Placement review (intended out-of-home placement): all required on such items.
    alternatives_considered: Mapped[Optional[str]] = mapped_column(Text)
    behavioural_scientist_name: Mapped[Optional[str]] = mapped_column(String(200))
    behavioural_scientist_role: Mapped[Optional[str]] = mapped_column(String(200))
    behavioural_scientist_judgement: Mapped[Optional[str]] = mapped_column(Text)
    placement_outcome: Mapped[Optional[str]] = mapped_column(String(16))
    placement_alternative: Mapped[Optional[str]] = mapped_column(Text)
    postponed_until: Mapped[Optional[date]] = mapped_column(Date)

    # The municipality's answer to a provisional decision.
    answered_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    answer_date: Mapped[Optional[date]] = mapped_column(Date)
    answer_note: Mapped[Optional[str]] = mapped_column(Text)

    # A form carries a random key: submitting it twice (double click, retry) records one decision.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    item: Mapped[MeetingItem] = relationship(back_populates="decisions")
    case: Mapped[Case] = relationship()
    municipality: Mapped[Municipality] = relationship()
    provider: Mapped[Optional[Organisation]] = relationship()
    mandate: Mapped[Optional[Mandate]] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    answered_by: Mapped[Optional[User]] = relationship(foreign_keys=[answered_by_id])

    @property
    def committed(self) -> bool:
        """Counts as committed help: binding at the session, or confirmed by the municipality later."""
        return self.status in (DecisionStatus.BINDING, DecisionStatus.CONFIRMED)


class CaseAction(TimestampMixin, Base):
    """An action on a case ("actie"): owned by a person or an organisation, with a due date.
    Usually agreed in a session (`item_id`), so it links back to the session and the case."""

    __tablename__ = "case_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id"), index=True)
    item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("meeting_item.id", ondelete="SET NULL"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"), index=True)
    owner_organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation.id"), index=True)
    due_date: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.OPEN.value, index=True)
    completed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    completed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship()
    item: Mapped[Optional[MeetingItem]] = relationship(back_populates="actions")
    owner_user: Mapped[Optional[User]] = relationship(foreign_keys=[owner_user_id])
    owner_organisation: Mapped[Optional[Organisation]] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    completed_by: Mapped[Optional[User]] = relationship(foreign_keys=[completed_by_id])

    __table_args__ = (
        CheckConstraint("(owner_user_id IS NULL) <> (owner_organisation_id IS NULL)", name="one_owner"),
    )


class MinutesFile(StoredPdfMixin, Base):
    """The PDF of an approved session's full minutes, rendered once and served again
    (ret_app/meetings/minutes_pdf.py, ret_app/stored_pdf.py): an addendum, an action's or decision's later
    status, a corrected name or another language changes its fingerprint, and the next request renders and
    stores the minutes again. Deleted with the session; the eraser deletes it when a case on its agenda is
    erased (ret_app/erasure/eraser.py)."""

    __tablename__ = "minutes_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), unique=True)


class MinutesAddendum(Base):
    """A correction to approved minutes: the minutes stay as approved, the addendum is added with
    author and date. Tied to an agenda item (shown in that case's extract) or to the whole session."""

    __tablename__ = "minutes_addendum"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The add form's key (ret_app.kernel.submissions): the same form sent twice adds one.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("meeting_item.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="addenda")
    item: Mapped[Optional[MeetingItem]] = relationship()
    author: Mapped[User] = relationship()
