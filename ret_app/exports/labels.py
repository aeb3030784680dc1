"""The words for an export job's states."""

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "queued": _l("Waiting"),
    "running": _l("Being made"),
    "done": _l("Ready"),
    "failed": _l("Failed"),
}
# What the job's page says (read aloud by a screen reader when the state changes).
STATUS_SENTENCES = {
    "queued": _l("Your export is waiting to be made."),
    "running": _l("Your export is being made."),
    "done": _l("Your export is ready."),
    "failed": _l("Your export could not be made."),
}
GENERAL_FAILURE = _l("Something went wrong while making this export. Please ask for it again; if that "
                     "fails too, tell your application administrator.")
