"""Notifications as a capability: the list "Meldingen" with the unread count in the page header, the
choice per kind under My account, the reactions to other capabilities' events that raise them, and
the `flask` commands of the periodic ones and the daily digest."""

from ret_app.expected import EVERYONE
from ret_app.jobs import registry as jobs
from ret_app.kernel.registry import Capability
from ret_app.notifications import commands, escalations, queries, reactions, routes, services, watch  # noqa: F401
from ret_app.notifications.blueprint import bp

# The periodic ones, each morning (cron in UTC: 05:00 is 06:00 or 07:00 in the Netherlands), the digest
# last so that it holds that morning's notices. Each is idempotent: a second run notifies nothing new.
jobs.register("overdue-requests", watch.flag_overdue_requests, "0 5 * * *")
jobs.register("expiring-mandates", watch.notify_expiring_mandates, "10 5 * * *")
jobs.register("actions-due", watch.notify_actions_due, "15 5 * * *")
jobs.register("overdue-escalations", escalations.flag_overdue_escalations, "5 5 * * *")
jobs.register("mail-digest", services.send_digest, "30 5 * * *")

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
