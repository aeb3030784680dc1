"""Notifications ("meldingen"): what asks for a user's attention, in the app and by e-mail.

The API for every capability: `notify(recipients, kind, link, key, subject_words=...)` and
`register_kind(kind, label, default=...)` (services.py and kinds.py; re-exported here). Importing
the package never drags in the routes."""

from ret_app.notifications.kinds import register_kind  # noqa: F401
from ret_app.notifications.services import notify  # noqa: F401
