from flask_babel import lazy_gettext as _l

from ret_app.erasure.forms import GROUNDS, REQUESTER_KINDS

ERASURE_STATUS_LABELS = {"received": _l("To decide"), "granted": _l("Granted: erased"), "refused": _l("Refused")}
REQUESTER_KIND_LABELS = dict(REQUESTER_KINDS)
REFUSAL_GROUND_LABELS = dict(GROUNDS)
DESTRUCTION_STATUS_LABELS = {"draft": _l("Awaiting approval"), "approved": _l("Approved: being destroyed"),
                             "done": _l("Done")}
