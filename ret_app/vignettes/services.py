"""The rules of learning vignettes: generating one of a closed case, the chair's edits (scrubbed again on
every save), approving, withdrawing, and the downloads (one vignette, or a pack of several approved ones
for a learning session). Flush, never commit; one event per change (audit and timeline); every download
and every refused download audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ret_app import audit, policy
from ret_app.extensions import db
from ret_app.kernel import events
from ret_app.kernel.dates import utcnow
from ret_app.kernel.errors import Conflict, RuleError
from ret_app.models import Case, CaseStatus, LearningVignette, User, VignetteStatus
from ret_app.vignettes import generator, scrub
from ret_app.vignettes.events import VignetteEdited, VignetteGenerated, VignetteStepTaken
from ret_app.vignettes.lifecycle import VIGNETTE

MAX_TITLE = 200
MAX_TEXT = 50_000
MAX_PACK = 20
# The states of a case a vignette is made of.
FINISHED = frozenset({CaseStatus.CLOSED.value})

NOT_CLOSED = _l("A vignette is made of a closed case only; this case is still open.")
ONE_PER_CASE = _l("This case has a vignette already. Withdraw it first to make a new one.")
ONLY_CHAIR = _l("Only the chair of the region makes and keeps learning vignettes.")
NOT_APPROVED = _l("This vignette has not been approved yet: it cannot be downloaded. The chair reviews and "
                  "approves it first.")
UNAVAILABLE = _l("The de-identification is not available right now, so nothing was generated or saved. "
                 "Try again later or ask the administrator.")
CHANGED_MEANWHILE = _l("Someone else changed this vignette at the same moment. Nothing of your last action was "
                       "saved; check the vignette and try again.")


def current_vignette(case: Case) -> Optional[LearningVignette]:
    """The case's vignette that is not withdrawn, if any."""
    return db.session.scalar(select(LearningVignette).where(LearningVignette.case_id == case.id,
                                                            LearningVignette.status != VignetteStatus.WITHDRAWN.value))


def may_generate(case: Case, user: User) -> bool:
    return policy.can_generate_vignette(user, case) and case.status in FINISHED and current_vignette(case) is None


def _check_version(vignette: LearningVignette, loaded_version: Optional[int]) -> None:
    if loaded_version is not None and loaded_version != vignette.version:
        raise Conflict(CHANGED_MEANWHILE)


def generate(case: Case, actor: User) -> tuple[LearningVignette, tuple]:
    """A draft vignette of the closed case (the chair's). Returns it with what the scrubber replaced."""
    if not policy.can_generate_vignette(actor, case):
        raise RuleError(ONLY_CHAIR)
    if case.status not in FINISHED:
        raise RuleError(NOT_CLOSED)
    if current_vignette(case) is not None:
        raise RuleError(ONE_PER_CASE)
    try:
        made = generator.generate(case)
    except scrub.DeidentificationUnavailable as error:
        raise RuleError(UNAVAILABLE) from error
    vignette = LearningVignette(region_id=case.region_id, case_id=case.id, status=VignetteStatus.DRAFT.value,
                                title=made.title[:MAX_TITLE], text=made.text, generated_at=utcnow(),
                                generated_by_id=actor.id, withdraw_reason="")
    db.session.add(vignette)
    db.session.flush()
    events.emit(VignetteGenerated(actor=actor, case=case, vignette=vignette, replaced=len(made.replaced)))
    return vignette, made.replaced


@dataclass(frozen=True)
class Saved:
    vignette: LearningVignette
    changed: bool
    replaced: tuple  # what the scrubber replaced in what the chair typed (shown to the chair only)


def save_text(vignette: LearningVignette, actor: User, title: Any, text: Any,
              loaded_version: Optional[int]) -> Saved:
    """The chair's edit of a draft: title and text scrubbed again (names of the case, patterns, deduce);
    what was replaced comes back for the page to show."""
    if not policy.can_keep_vignette(actor, vignette):
        raise RuleError(ONLY_CHAIR)
    if vignette.status != VignetteStatus.DRAFT.value:
        raise RuleError(_l("Only a draft is edited; this vignette is %(status)s.",
                           status=_("approved") if vignette.status == VignetteStatus.APPROVED.value else _("withdrawn")))
    title = " ".join(str(title or "").split())
    text = str(text or "").replace("\r\n", "\n").strip()
    errors: dict = {}
    if not title:
        errors["title"] = _l("Give the vignette a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _l("The title can be at most %(num)d characters.", num=MAX_TITLE)
    if not text:
        errors["text"] = _l("The text of the vignette is empty.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _l("The text can be at most %(num)d characters.", num=MAX_TEXT)
    if errors:
        raise RuleError.many(errors)
    _check_version(vignette, loaded_version)
    try:
        identifiers = scrub.known_identifiers(vignette.case)
        clean_title = scrub.scrub(title, identifiers)
        clean_text = scrub.scrub(text, identifiers)
    except scrub.DeidentificationUnavailable as error:
        raise RuleError(UNAVAILABLE) from error
    fields = tuple(name for name, old, new in (("title", vignette.title, clean_title.text),
                                               ("text", vignette.text, clean_text.text)) if old != new)
    replaced = clean_title.replaced + clean_text.replaced
    if not fields:
        return Saved(vignette, False, replaced)
    vignette.title = clean_title.text[:MAX_TITLE]
    vignette.text = clean_text.text
    vignette.edited_at = utcnow()
    vignette.edited_by_id = actor.id
    db.session.flush()
    events.emit(VignetteEdited(actor=actor, case=vignette.case, vignette=vignette, fields=fields,
                               replaced=len(replaced)))
    return Saved(vignette, True, replaced)


def _still_named(vignette: LearningVignette) -> Optional[Any]:
    """A last check before approving: the case's known names (which may have changed since the last save)."""
    identifiers = scrub.known_identifiers(vignette.case)
    again = scrub.scrub(vignette.title + "\n" + vignette.text, identifiers, use_deduce=False)
    if any(r.source == "known" for r in again.replaced):
        return _l("The text still holds names or numbers of the case (the case changed since the last save). "
                  "Save the text again: it is scrubbed then.")
    return None


def approve(vignette: LearningVignette, actor: User, loaded_version: Optional[int]) -> LearningVignette:
    _check_version(vignette, loaded_version)
    if vignette.status == VignetteStatus.DRAFT.value and policy.can_keep_vignette(actor, vignette):
        problem = _still_named(vignette)
        if problem is not None:
            raise RuleError(problem)
    return _step(vignette, actor, "approve")


def withdraw(vignette: LearningVignette, actor: User, reason: Any, loaded_version: Optional[int]) -> LearningVignette:
    reason = " ".join(str(reason or "").split()) if reason is not None else ""
    if len(reason) > 2000:
        raise RuleError(_l("The reason can be at most %(num)d characters.", num=2000), "reason")
    _check_version(vignette, loaded_version)
    return _step(vignette, actor, "withdraw", reason=reason)


def _step(vignette: LearningVignette, actor: User, name: str, reason: str = "") -> LearningVignette:
    source = vignette.status
    step = VIGNETTE.apply(vignette, actor, name, reason=reason)
    db.session.flush()
    events.emit(VignetteStepTaken(actor=actor, case=vignette.case, vignette=vignette, name=name, source=source,
                                  target=step.target.value))
    return vignette


# --- downloads ------------------------------------------------------------------------------------


def refuse_download(vignette: LearningVignette) -> None:
    """A download of a vignette that is not approved: refused, and the refusal audited."""
    audit.record(audit.Action.EXPORT, outcome=audit.Outcome.DENIED, object_type="vignette", object_id=vignette.id,
                 case_id=vignette.case_id, detail=f"not approved;status={vignette.status}")


def record_read(detail: str) -> None:
    """The region's list or the pack's choice was shown (no case: the vignettes are anonymised)."""
    audit.record(audit.Action.READ, object_type="vignette", detail=detail)


def record_pack_refused(chosen: int) -> None:
    audit.record(audit.Action.EXPORT, outcome=audit.Outcome.FAILED, object_type="vignette",
                 detail=f"pack refused;chosen={chosen}")


def record_download(vignette: LearningVignette, detail: str) -> None:
    audit.record(audit.Action.EXPORT, object_type="vignette", object_id=vignette.id, case_id=vignette.case_id,
                 detail=detail)


def approved_of_region(region_id: Optional[int], ids: Optional[Iterable[int]] = None) -> list[LearningVignette]:
    """The region's approved vignettes (those of `ids` only, when given), newest approval first."""
    if region_id is None:
        return []
    query = select(LearningVignette).where(LearningVignette.region_id == region_id,
                                           LearningVignette.status == VignetteStatus.APPROVED.value)
    if ids is not None:
        query = query.where(LearningVignette.id.in_(list(ids)))
    return list(db.session.scalars(query.order_by(LearningVignette.approved_at.desc(), LearningVignette.id.desc())))


def pack_selection(region_id: Optional[int], chosen: Sequence[int]) -> list[LearningVignette]:
    """The vignettes a pack may hold: at least one, at most MAX_PACK, every one approved and of the
    user's region (anything else is refused as a whole, next to the field)."""
    if not chosen:
        raise RuleError(_l("Choose at least one approved vignette for the pack."), "vignettes")
    if len(chosen) > MAX_PACK:
        raise RuleError(_l("A pack holds at most %(num)d vignettes.", num=MAX_PACK), "vignettes")
    found = {v.id: v for v in approved_of_region(region_id, chosen)}
    if len(found) != len(set(chosen)):
        raise RuleError(_l("One of the chosen vignettes is no longer approved (or not of your region). "
                           "Check the choice and try again."), "vignettes")
    return [found[i] for i in dict.fromkeys(chosen)]
