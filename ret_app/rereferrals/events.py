"""What changes in re-referrals: a suggestion made, a link confirmed or dismissed. The audit detail
holds codes and ids only; the timeline entries (read by the RET side only, capability.py restricts
them) name the other case by its reference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ret_app.cases.events import CaseChange
from ret_app.models import Case, CaseLink


@dataclass(frozen=True, kw_only=True)
class _LinkChange(CaseChange):
    """`case` is the later case of the link."""

    link: CaseLink
    earlier: Case

    @property
    def audit_object_id(self) -> Any:
        return self.link.id

    def audit_detail(self) -> str:
        return f"{self.link.status};basis={self.link.basis};earlier_case={self.earlier.id}"


@dataclass(frozen=True, kw_only=True)
class RereferralSuggested(_LinkChange):
    """An earlier case of the same youth was found when the case was submitted or taken into intake."""

    AUDIT = ("create", "case_link")
    TIMELINE = "rereferral_suggested"

    def timeline_summary(self) -> str:
        return self.earlier.reference


@dataclass(frozen=True, kw_only=True)
class RereferralWithdrawn(_LinkChange):
    """A suggestion no longer matches (the youth's data changed before the case was submitted again)."""

    AUDIT = ("delete", "case_link")

    def audit_detail(self) -> str:
        return f"no_longer_matches;basis={self.link.basis};earlier_case={self.earlier.id}"


@dataclass(frozen=True, kw_only=True)
class RereferralConfirmed(_LinkChange):
    """The chair confirmed: the later case is a re-referral of the earlier one (on both timelines)."""

    AUDIT = ("update", "case_link")
    TIMELINE = "rereferral_confirmed"

    def timeline_entries(self) -> list[tuple[Any, str, str]]:
        return [(self.case, self.TIMELINE, self.earlier.reference),
                (self.earlier, "rereferred_later", self.case.reference)]


@dataclass(frozen=True, kw_only=True)
class RereferralDismissed(_LinkChange):
    """The chair dismissed the suggestion (or a confirmed link: then the earlier case's timeline says so too)."""

    AUDIT = ("update", "case_link")
    TIMELINE = "rereferral_dismissed"
    was_confirmed: bool = False

    def timeline_entries(self) -> list[tuple[Any, str, str]]:
        entries = [(self.case, self.TIMELINE, self.earlier.reference)]
        if self.was_confirmed:
            entries.append((self.earlier, "rereferred_later_undone", self.case.reference))
        return entries
