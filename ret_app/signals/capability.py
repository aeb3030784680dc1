"""Gap signals as a capability: the signal list, a signal's page, the gap overview and the signal report
(the chair and RET members of a region; the chair acts), their start-page card of open signals,
navigation, audit words, and the expected access of every route. The rule (rule.py) registers its nightly
job, its notification kind and its reaction to recorded and corrected outcomes on import; the signal report
is an export job."""

from flask_babel import lazy_gettext as _l

from ret_app.exports import registry as exports
from ret_app.expected import RET
from ret_app.kernel import dates
from ret_app.kernel.registry import Capability
from ret_app.policy import Permission
from ret_app.signals import audit_words, cards, rule  # noqa: F401  (the job, the notification kind, the reaction)
from ret_app.signals import report, routes  # noqa: F401  (views registered)
from ret_app.signals.blueprint import bp
from ret_app.signals.labels import OWNER_LABELS, STATUS_BADGES, STATUS_LABELS

# The signal report is made as an export job (ret_app/exports): asked for on the gap overview.
exports.register(report.KIND, report.render, report.may_request, report.LABEL)

capability = (
    Capability("signals")
    .blueprint(bp)
    .nav("signals.signal_list", _l("Signals"), Permission.VIEW_SIGNALS, "signals.", order=57)
    .start_card("open_signals", "signals/_start_card.html", cards.start_card, order=28)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .template_filter("signal_status_label", lambda code: STATUS_LABELS.get(code, code or "—"))
    .template_filter("signal_badge", lambda code: STATUS_BADGES.get(code, "neutral"))
    .template_filter("signal_age", lambda moment: (dates.today() - dates.local_date(moment)).days)
    .template_filter("signal_owner_label", lambda code: OWNER_LABELS.get(code, code) if code else _l("not chosen yet"))
    # The pages decide per signal: a signal of another region answers 404; only the chair acts.
    .expected_access({name: RET for name in ("signals.signal_list", "signals.signal_page", "signals.overview",
                                             "signals.report_request")})
)
