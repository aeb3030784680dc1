"""Cases: the youth, the family system, help tried before, consent, participants, the lifecycle
history, pauses and the integrated screening."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Optional

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ret_app.models.base import Base, StoredPdfMixin, TimestampMixin, UTCDateTime, utcnow
from ret_app.models.organisations import Municipality, Organisation, Region
from ret_app.models.users import User


class CaseStatus(enum.StrEnum):
    CONCEPT = "concept"
    SUBMITTED = "submitted"
    INTAKE = "intake"
    SCREENING = "screening"
    PROCESS_DIRECTION = "process_direction"
    MONITORING = "monitoring"
    CLOSED = "closed"
    RETURNED_WITH_ADVICE = "returned_with_advice"
    PAUSED = "paused"
    # Its personal data and documents removed (an erasure request granted, or past retention and purged):
    # a minimal record stays for the anonymous counts (ret_app/erasure/eraser.py).
    ERASED = "erased"


class Track(enum.StrEnum):
    CONSULTATION = "consultation"  # consultation and advice
    PROCESS_DIRECTION = "process_direction"
    PLACEMENT_REVIEW = "placement_review"  # intended out-of-home placement


class Urgency(enum.StrEnum):
    REGULAR = "regular"
    URGENT = "urgent"
    CRISIS = "crisis"


class ConsentScope(enum.StrEnum):
    RET = "ret"
    COLLECTIVE = "collective"
    NETWORK = "network"


class CaseReferenceCounter(Base):
    """Next case number per year; its row lock keeps references unique across workers."""

    __tablename__ = "case_reference_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Case(TimestampMixin, Base):
    __tablename__ = "ret_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # The new-referral form's key: the same form sent twice creates one case.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    submitting_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    caseworker_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    process_director_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"), index=True)

    status: Mapped[str] = mapped_column(String(32), default=CaseStatus.CONCEPT.value, index=True)
    # The status a paused case returns to.
    status_before_pause: Mapped[Optional[str]] = mapped_column(String(32))
    track: Mapped[Optional[str]] = mapped_column(String(32))
    urgency: Mapped[str] = mapped_column(String(16), default=Urgency.REGULAR.value)

    # The youth (up to 23 at referral).
    youth_first_name: Mapped[str] = mapped_column(String(100), default="")
    youth_last_name: Mapped[str] = mapped_column(String(100), default="")
    youth_birth_date: Mapped[Optional[date]] = mapped_column(Date)
    youth_bsn: Mapped[Optional[str]] = mapped_column(String(9))
    # First name, last name and birth date normalised (case, accents, spacing) and hashed: how an earlier
    # case of the same youth is found without a BSN (ret_app/models/rereferrals.py keeps it current).
    youth_match_key: Mapped[Optional[str]] = mapped_column(String(64))
    youth_gender: Mapped[Optional[str]] = mapped_column(String(32))
    youth_daytime_activity: Mapped[Optional[str]] = mapped_column(String(200))

    question: Mapped[str] = mapped_column(Text, default="")  # hulpvraag
    why_stuck: Mapped[str] = mapped_column(Text, default="")
    placement_intended: Mapped[bool] = mapped_column(Boolean, default=False)

    # Denormalised from the consent records by the consent service (the SQL twin of the
    # policy needs them): whether consent (or a legal ground) stands per scope.
    consent_ret: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_collective: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_network: Mapped[bool] = mapped_column(Boolean, default=False)

    submitted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    intake_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    # The case's next due item (None: nothing is due, or the case is paused): its date and what is due
    # (a norm clock's name, or the kind a due source gives: "review", "request_reply", ...), kept
    # current by ret_app/cases/norms.py so that lists find, sort and page overdue cases in SQL.
    next_deadline: Mapped[Optional[date]] = mapped_column(Date, index=True)
    next_due_kind: Mapped[Optional[str]] = mapped_column(String(32))
    # The day fitting help ("passende hulp") started, recorded on the plan; it moves the case from
    # process direction to monitoring (the lifecycle's guard) and is what "days to fitting help" measures.
    fitting_help_started_on: Mapped[Optional[date]] = mapped_column(Date)
    # Set by the outcome screen (a later capability); closing requires it.
    outcome_recorded_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    intake_decision_reason: Mapped[Optional[str]] = mapped_column(Text)
    advice: Mapped[Optional[str]] = mapped_column(Text)  # advice when returned to the access team
    # Retention (ret_app/erasure/retention.py): kept until this day (closing day + the region's
    # retention years, or a longer per-case extension with its reason); stored when any of these change.
    retain_until: Mapped[Optional[date]] = mapped_column(Date, index=True)
    retention_extended_until: Mapped[Optional[date]] = mapped_column(Date)
    retention_reason: Mapped[Optional[str]] = mapped_column(Text)
    # When the eraser removed the case's personal data (status `erased`).
    erased_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    # Optimistic locking: a save based on an older version fails instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # Earlier cases of the same youth in the region (ret_app/rereferrals/matching.py).
        Index("ix_ret_case_region_id_youth_bsn", "region_id", "youth_bsn"),
        Index("ix_ret_case_region_id_youth_match_key", "region_id", "youth_match_key"),
        # The RET's view of its region (policy.visible_case_ids: region_id = ? AND status <> ...) as an
        # index-only scan: a start-page count joins the region's case ids without reading every case row
        # of the region's history (migration 0027).
        Index("ix_ret_case_region_id_status_id", "region_id", "status", "id"),
    )

    region: Mapped[Region] = relationship()
    municipality: Mapped[Municipality] = relationship()
    submitting_organisation: Mapped[Organisation] = relationship()
    caseworker: Mapped[User] = relationship(foreign_keys=[caseworker_id])
    process_director: Mapped[Optional[User]] = relationship(foreign_keys=[process_director_id])
    family_members: Mapped[list["FamilyMember"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="FamilyMember.id")
    prior_help: Mapped[list["PriorHelp"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="PriorHelp.id")
    consents: Mapped[list["Consent"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Consent.id")
    legal_grounds: Mapped[list["LegalGround"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="LegalGround.id")
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Attachment.id")
    participants: Mapped[list["CaseParticipant"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseParticipant.id")
    transitions: Mapped[list["CaseTransition"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseTransition.id")
    pauses: Mapped[list["CasePause"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CasePause.id")
    events: Mapped[list["CaseEvent"]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CaseEvent.id")

    @property
    def youth_name(self) -> str:
        return f"{self.youth_first_name} {self.youth_last_name}".strip()


class FamilyMember(Base):
    """A person in the family system (gezinssysteem)."""

    __tablename__ = "family_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    relation: Mapped[str] = mapped_column(String(32))  # mother, father, step_parent, guardian, sibling, ...
    age: Mapped[Optional[int]] = mapped_column(Integer)
    living_situation: Mapped[Optional[str]] = mapped_column(String(200))
    parental_authority: Mapped[bool] = mapped_column(Boolean, default=False)
    # The add form's key: the same form sent twice adds one person.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)

    case: Mapped[Case] = relationship(back_populates="family_members")


class PriorHelp(Base):
    """Help tried before the referral."""

    __tablename__ = "prior_help"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The add form's key (ret_app.kernel.submissions): the same form sent twice adds one.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(200))
    help_type: Mapped[str] = mapped_column(String(200))
    from_date: Mapped[Optional[date]] = mapped_column(Date)
    to_date: Mapped[Optional[date]] = mapped_column(Date)
    end_reason: Mapped[Optional[str]] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="prior_help")


class Consent(Base):
    """Consent of one person for one scope; withdrawn consent stays on record."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(16))
    # Who gave it: the youth (family_member_id empty) or a member of the family system.
    family_member_id: Mapped[Optional[int]] = mapped_column(ForeignKey("family_member.id", ondelete="CASCADE"))
    given_by_role: Mapped[str] = mapped_column(String(16))  # youth, parent, guardian
    given_on: Mapped[date] = mapped_column(Date)
    form: Mapped[str] = mapped_column(String(16))  # written, verbal
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_on: Mapped[Optional[date]] = mapped_column(Date)
    withdrawn_recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))

    case: Mapped[Case] = relationship(back_populates="consents")
    family_member: Mapped[Optional[FamilyMember]] = relationship()
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])


class LegalGround(Base):
    """Processing without consent on a recorded legal ground (e.g. the youth's safety)."""

    __tablename__ = "legal_ground"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    case: Mapped[Case] = relationship(back_populates="legal_grounds")
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])


class Attachment(Base):
    """A file stored outside static/, served only through the access policy."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The add form's key (ret_app.kernel.submissions): the same form sent twice adds one.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship(back_populates="attachments")


class ParticipantRole(enum.StrEnum):
    RET_MEMBER = "ret_member"
    PROVIDER = "provider"


class CaseParticipant(Base):
    """Someone invited to work on a case: a RET member (a user) or a provider (an organisation,
    whose provider members then see the case while collective consent stands)."""

    __tablename__ = "case_participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation.id"), index=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    removed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())

    case: Mapped[Case] = relationship(back_populates="participants")
    user: Mapped[Optional[User]] = relationship(foreign_keys=[user_id])
    organisation: Mapped[Optional[Organisation]] = relationship()

    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (organisation_id IS NULL)", name="user_or_organisation"),
    )


class CaseTransition(Base):
    """One step in the case lifecycle: who, when, why."""

    __tablename__ = "case_transition"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[Optional[str]] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[Optional[str]] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="transitions")
    actor: Mapped[User] = relationship()


class CasePause(Base):
    """A pause (opschorting): every deadline shifts by its length."""

    __tablename__ = "case_pause"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[Optional[date]] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    ended_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))

    case: Mapped[Case] = relationship(back_populates="pauses")


class CaseEvent(Base):
    """The case timeline that users read (the audit trail is for accountability, this is for work)."""

    __tablename__ = "case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(String(48))
    summary: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[Optional[User]] = relationship()


DEFAULT_CAPACITY_STALE_DAYS = 14
# Gap signals: at least 3 cases naming a gap within a rolling window of 6 months.
DEFAULT_SIGNAL_THRESHOLD = 3
DEFAULT_SIGNAL_WINDOW_MONTHS = 6
DEFAULT_RETENTION_YEARS = 20
MIN_RETENTION_YEARS = 20  # Jeugdwet 7.3.8: at least 20 years after the care ends
# A request to a provider of the collective: the default reply-by date, in working days.
DEFAULT_REQUEST_REPLY_DAYS = 3
DEFAULT_REQUEST_REPLY_DAYS_CRISIS = 1


class RegionNorms(Base):
    """Per-region deadlines in working days (no national norm exists: regional policy)."""

    __tablename__ = "region_norms"

    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), primary_key=True)
    intake_decision: Mapped[int] = mapped_column(Integer, default=5)
    first_session: Mapped[int] = mapped_column(Integer, default=10)
    first_session_crisis: Mapped[int] = mapped_column(Integer, default=2)
    screening: Mapped[int] = mapped_column(Integer, default=20)
    # The collective's capacity register: an entry not updated for this many (calendar) days is stale.
    capacity_stale_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_CAPACITY_STALE_DAYS)
    # A request to a provider of the collective: the default reply-by date (working days; a crisis case).
    request_reply_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_REQUEST_REPLY_DAYS)
    request_reply_days_crisis: Mapped[int] = mapped_column(Integer, default=DEFAULT_REQUEST_REPLY_DAYS_CRISIS)
    # Gap signals (ret_app/signals/rule.py): a gap category named in at least this many cases within the
    # last this many months raises a signal.
    signal_threshold: Mapped[int] = mapped_column(Integer, default=DEFAULT_SIGNAL_THRESHOLD)
    signal_window_months: Mapped[int] = mapped_column(Integer, default=DEFAULT_SIGNAL_WINDOW_MONTHS)
    # The family's "who looked at my file" PDF (NEN 7513) names organisation and role; the staff member's
    # name only when the region chooses so.
    access_log_shows_names: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    # Retention: years a closed case is kept after closing (Jeugdwet 7.3.8: at least 20).
    retention_years: Mapped[int] = mapped_column(Integer, default=DEFAULT_RETENTION_YEARS)


# --- integrated screening ---------------------------------------------------------------

class LifeDomain(enum.StrEnum):
    SAFETY = "safety"
    MENTAL_HEALTH = "mental_health"
    PHYSICAL_HEALTH = "physical_health"
    DEVELOPMENT = "development"  # development / disability
    EDUCATION = "education"  # education / daytime activity
    PARENTING = "parenting"  # parenting / family
    PARENTS_OWN_PROBLEMS = "parents_own_problems"
    SOCIAL_NETWORK = "social_network"
    HOUSING = "housing"
    FINANCES = "finances"
    JUSTICE = "justice"
    SUBSTANCE_USE = "substance_use"


# Severity scale per life domain: 0 no concern ... 4 acute / unsafe.
SEVERITY_SCALE = (0, 1, 2, 3, 4)


class Screening(TimestampMixin, Base):
    __tablename__ = "screening"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ret_case.id", ondelete="CASCADE"), unique=True)
    youth_view: Mapped[str] = mapped_column(Text, default="")  # in the youth's own words
    family_view: Mapped[str] = mapped_column(Text, default="")
    analysis: Mapped[str] = mapped_column(Text, default="")
    advice: Mapped[str] = mapped_column(Text, default="")
    finalised_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime())
    finalised_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    case: Mapped[Case] = relationship()
    contributions: Mapped[list["ScreeningContribution"]] = relationship(
        back_populates="screening", cascade="all, delete-orphan", order_by="ScreeningContribution.id")
    addenda: Mapped[list["ScreeningAddendum"]] = relationship(
        back_populates="screening", cascade="all, delete-orphan", order_by="ScreeningAddendum.id")


class ScreeningContribution(TimestampMixin, Base):
    """One participant's view of one life domain."""

    __tablename__ = "screening_contribution"

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screening.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    domain: Mapped[str] = mapped_column(String(32))
    severity: Mapped[int] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    screening: Mapped[Screening] = relationship(back_populates="contributions")
    author: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (
        UniqueConstraint("screening_id", "author_id", "domain", name="uq_screening_contribution_author_domain"),
        CheckConstraint("severity BETWEEN 0 AND 4", name="severity_scale"),
    )


class ScreeningReportFile(StoredPdfMixin, Base):
    """The PDF of a finalised screening's report, rendered once and served again (ret_app/screening/report.py,
    ret_app/stored_pdf.py): an addendum, a participant, a corrected name or another language changes its
    fingerprint, and the next request renders and stores the report again. Deleted with the screening (and
    so with an erased case)."""

    __tablename__ = "screening_report_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screening.id", ondelete="CASCADE"), unique=True)


class ScreeningAddendum(Base):
    """A correction or addition after the screening was finalised (it is read-only then)."""

    __tablename__ = "screening_addendum"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The add form's key (ret_app.kernel.submissions): the same form sent twice adds one.
    submission_key: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screening.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    text: Mapped[str] = mapped_column(Text)

    screening: Mapped[Screening] = relationship(back_populates="addenda")
    author: Mapped[User] = relationship()
