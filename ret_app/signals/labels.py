"""The words for the stored codes of gap signals."""

from flask_babel import lazy_gettext as _l

from ret_app.models import DeclineReason, EscalationResult, EvidenceKind, SignalOwner, SignalStatus

STATUS_LABELS = {
    SignalStatus.NEW.value: _l("New"),
    SignalStatus.IN_PROGRESS.value: _l("In progress"),
    SignalStatus.ADDRESSED.value: _l("Addressed"),
    SignalStatus.CLOSED.value: _l("Closed"),
}
# The badge of each status (ret-badge--*): the word is always shown too, never the colour alone.
STATUS_BADGES = {
    SignalStatus.NEW.value: "bad",
    SignalStatus.IN_PROGRESS.value: "warn",
    SignalStatus.ADDRESSED.value: "ok",
    SignalStatus.CLOSED.value: "neutral",
}
OWNER_LABELS = {
    SignalOwner.PURCHASING.value: _l("Purchasing"),
    SignalOwner.POLICY.value: _l("Policy"),
}
EVIDENCE_LABELS = {
    EvidenceKind.GAP.value: _l("Gap in the outcome"),
    EvidenceKind.DECLINE.value: _l("Request declined"),
    EvidenceKind.ESCALATION.value: _l("Escalation to the network"),
}
# The decline reasons that count as evidence of a gap in the care offer.
GAP_DECLINES = (DeclineReason.NO_CAPACITY.value, DeclineReason.NOT_OUR_EXPERTISE.value)
DECLINE_LABELS = {
    DeclineReason.NO_CAPACITY.value: _l("No capacity"),
    DeclineReason.NOT_OUR_EXPERTISE.value: _l("Not our expertise"),
}
# The escalations' results in the words of the escalation pages.
ESCALATION_RESULTS = tuple(r.value for r in EscalationResult)
