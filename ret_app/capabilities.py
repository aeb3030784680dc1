"""The capabilities RET consists of: the one place a new capability is registered.

Each entry names a module that defines `capability` (a `ret_app.kernel.registry.Capability`): its
blueprints, navigation entries, start-page cards, case-page panels, timeline labels and the expected
access of its routes. `create_app` installs them in this order.
"""

CAPABILITIES = (
    "ret_app.main.capability",
    "ret_app.auth.capability",
    "ret_app.account.capability",
    "ret_app.mandates.capability",
    "ret_app.caretypes.capability",
    "ret_app.admin.capability",
    "ret_app.cases.capability",
    "ret_app.referrals.capability",
    "ret_app.screening.capability",
    "ret_app.meetings.capability",
    "ret_app.collective.capability",
    "ret_app.commitments.capability",
    "ret_app.plans.capability",
    "ret_app.notifications.capability",
    "ret_app.escalations.capability",
    "ret_app.outcomes.capability",
    "ret_app.rereferrals.capability",
    "ret_app.api.capability",
    "ret_app.analyst.capability",
    "ret_app.vignettes.capability",
    "ret_app.exports.capability",
    "ret_app.signals.capability",
    "ret_app.reflection.capability",
    "ret_app.privacy.capability",
    "ret_app.inspection.capability",
    "ret_app.erasure.capability",
    "ret_app.operations.capability",
    # Last: it starts the in-process runner of the demo (make run) once every job is registered.
    "ret_app.jobs.capability",
)
