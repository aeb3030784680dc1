"""Notifications as a capability: the list "Meldingen" with the unread count in the page header, the
choice per kind under My account, the reactions to other capabilities' events that raise them, and
the `flask` commands of the periodic ones and the daily digest."""

from ret_app.expected import EVERYONE
from ret_app.kernel.registry import Capability
from ret_app.notifications import commands, queries, reactions, routes, watch  # noqa: F401  (views, subscribers)
from ret_app.notifications.blueprint import bp

capability = (
    Capability("notifications")
    .blueprint(bp)
    .template_global("unread_notification_count", queries.unread_count_for_page)
    .expected_access({
        "notifications.inbox": EVERYONE,
        "notifications.open_one": EVERYONE,
        "notifications.mark": EVERYONE,
        "notifications.mark_all": EVERYONE,
        "notifications.preferences": EVERYONE,
    })
)
capability.on_install(commands.register)
