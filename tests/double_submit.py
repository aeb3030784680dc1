"""The same form sent twice stores once, for every POST route: the check that
tests/test_hostile_input.py runs per route (test_the_same_form_sent_twice_stores_once), with that module's
fixtures and its reach of each route, so that neither is built twice.

Every POST route, its valid form sent twice as it was rendered (the same CSRF token, the same fields, the
same submission keys: a double click, a retry after a slow answer), stores nothing the second time. The
route is reached as the hostile-input tests reach it (who may use it, on which object, with the matrix's
valid form data); every submission key of the forms it validates (`SubmissionKeyField`, or a key the
template makes) gets the value the page of the form rendered (FORM_PAGES); the form is posted twice and
the rows of every table are counted after each post: the second post adds no row (only the tables that
record each request are left out: the audit trail, sessions, throttles, job runs), and a keyed route
answers the second post as the first (the same status, the same redirect).

The routes whose valid post creates (or removes) rows are named (CREATING), so that a route that stops
creating, or a new creating route, is seen. Creating routes that the matrix's objects do not reach with
effect here are covered elsewhere: a request to providers and its answer, escalations, reminders and the
network's steps (tests/test_commitments.py, test_escalations.py, test_escalations_liaison.py: their own
keys); a session's agenda item, a legal hold, a participant and a vignette are one per case or person by
their own rule (refused or found the second time)."""

from __future__ import annotations

import re
import secrets
from io import BytesIO

from sqlalchemy import literal, select, union_all
from sqlalchemy import func

from ret_app.extensions import db
from ret_app.forms import SubmissionKeyField
from tests.test_hostile_input import _post, _post_data, _reach, _signed_in_at, _url

# Tables that record each request, whatever it does.
PER_REQUEST = frozenset({"audit_event", "audit_head", "audit_checkpoint", "web_session", "auth_throttle",
                         "job_run"})

# Routes whose valid post creates a row (with the matrix's objects and data).
CREATING = frozenset({
    "account.change_password",  # a notification ("your password was changed")
    "account.new_recovery_codes", "actions.set_status", "admin.mandate_new", "admin.municipalities",
    "admin.networks", "admin.organisations", "admin.region_norms", "admin.regions", "admin.user_activation_link",
    "admin.user_new", "admin.user_reset_2fa", "api_tokens.token_new", "api_tokens.token_rotate",
    "caretypes.catalogue", "cases.case_step", "cases.intake_decision", "collective.capacity_edit",
    "collective.contact_add", "collective.profile_edit", "commitments.request_page", "commitments.request_withdraw",
    "erasure.request_record", "escalations.escalation_form", "escalations.escalation_new_date",
    "escalations.escalation_remind", "escalations.escalation_reply", "escalations.escalation_withdraw",
    "escalations.network_director", "escalations.network_message", "exports.request_export",
    "inspection.correction_form", "inspection.correction_page", "inspection.inspection_step",
    "inspection.inspection_withheld", "inspection.requests_page", "meetings.action_add", "meetings.addendum_add",
    "meetings.check_in", "meetings.decision_add", "meetings.followup_answer", "meetings.new",
    "notifications.preferences", "outcomes.outcome_page", "outcomes.taxonomy_page", "plans.fitting_help",
    "plans.goal_add", "plans.plan_agree", "plans.review_add", "plans.review_record", "referrals.attachment_upload",
    "referrals.consent_page", "referrals.consent_withdraw", "referrals.family_add", "referrals.legal_ground_add",
    "referrals.legal_ground_end", "referrals.prior_help_add", "referrals.referral_new", "referrals.referral_submit",
    "rereferrals.decide", "screening.participant_remove", "screening.screening_addendum_add",
    "screening.screening_contribution_save", "signals.report_request", "signals.signal_page", "vignettes.pack_request",
    "vignettes.withdraw",
    # removing: the count changes (a row less), the second post finds nothing to remove (404)
    "caretypes.remove", "collective.contact_remove", "plans.goal_remove", "plans.review_cancel",
    "referrals.attachment_delete", "referrals.family_remove", "referrals.prior_help_remove",
})

# Routes where the second post of the same form adds rows, with the reason.
SECOND_POST_ADDS: dict[str, str] = {
    "account.new_recovery_codes": "each press makes a new set and retires the earlier one: the codes are stored "
                                  "hashed, shown in that answer only, so the second answer cannot show the first's",
    "admin.user_activation_link": "a new one-time link, the earlier one revoked (services.issue_activation): the "
                                  "link is stored hashed and shown once, so the second answer needs a new one",
    "admin.user_reset_2fa": "as the activation link (and the user is told of each reset)",
}

# Forms without a form class whose key the template makes (`new_submission_key()`).
TEMPLATE_KEYS = {"exports.request_export": "submission_key", "vignettes.pack_request": "submission_key"}

# The page that renders each keyed form (its endpoint, from the route's own parameters): the key posted is
# the one that page rendered. A keyed creating route must be named here (or in OFFERED_NOWHERE).
FORM_PAGES = {
    "referrals.referral_new": "referrals.referral_new", "meetings.new": "meetings.new",
    "admin.mandate_new": "admin.mandate_new",
    **{e: "referrals.referral_edit" for e in ("referrals.family_add", "referrals.prior_help_add",
                                              "referrals.attachment_upload")},
    "erasure.request_record": "erasure.case_privacy",
    "inspection.requests_page": "inspection.requests_page", "inspection.correction_form": "inspection.correction_form",
    "plans.goal_add": "plans.plan_page", "plans.review_add": "plans.plan_page",
    "screening.screening_addendum_add": "screening.screening_page",
    "signals.signal_page": "signals.signal_page", "signals.report_request": "signals.overview",
    "collective.contact_add": "collective.profile_edit", "meetings.addendum_add": "meetings.page",
    "vignettes.pack_request": "vignettes.pack",
}
# Keyed routes whose form no page of the matrix's objects offers, with the reason.
OFFERED_NOWHERE = {
    "exports.request_export": "the tests' kind of export is offered on no page; the export button's key: "
                              "test_the_export_button_carries_a_key (tests/test_hostile_input.py)",
}

# Keyed routes whose second answer differs from the first on purpose, with the reason.
ANSWERED_OTHERWISE = {
    "api_tokens.token_new": "the token's secret is shown once: the second post goes to the list of tokens",
}


def _rendered(page: str, name: str, endpoint: str) -> str:
    """The value of the hidden input `name` on the page."""
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    assert match, f"{endpoint}: its page renders no {name}"
    value = re.search(r'value="([^"]+)"', match.group(0))
    assert value, f"{endpoint}: {name} rendered without a value"
    return value.group(1)


def _counts(app) -> dict[str, int]:
    """The number of rows of every table but PER_REQUEST, in one query."""
    tables = [t for t in db.metadata.sorted_tables if t.name not in PER_REQUEST]
    with app.app_context():
        query = union_all(*(select(literal(t.name).label("name"), func.count().label("n")).select_from(t)
                            for t in tables))
        out = dict(db.session.execute(query).all())
        db.session.remove()
    return out


def _files(endpoint: str) -> dict:
    """What a route needs beyond the matrix's data (a file to upload), fresh for each post."""
    if endpoint == "referrals.attachment_upload":
        return {"attachment-file": (BytesIO(b"%PDF-1.4\n%%EOF\n"), "verslag.pdf")}
    return {}


def check_route(app, objects, extra, actors, record, undone, endpoint: str) -> None:
    reached = _reach(app, endpoint, objects, extra, actors, record, undone)
    assert reached is not None, endpoint
    data = _post_data(endpoint, objects, extra)
    # The submission keys of the forms the route validates (and a key its template makes).
    names = {f.name for form in reached.reads.forms for f in form if isinstance(f, SubmissionKeyField)}
    names |= {TEMPLATE_KEYS[endpoint]} if endpoint in TEMPLATE_KEYS else set()
    keyed = bool(names) or any(name.endswith("submission_key") for name in data)
    with undone():
        client, params = _signed_in_at(app, endpoint, reached, objects, extra)
        url = _url(app, endpoint, params)
        if endpoint in FORM_PAGES:
            page = client.get(_url(app, FORM_PAGES[endpoint], params)).get_data(as_text=True)
            keys = {name: _rendered(page, name, endpoint) for name in names - set(data)}
        else:
            keys = {name: secrets.token_urlsafe(24) for name in names - set(data)}
        before = _counts(app)
        first = _post(client, reached.actor, url, {**data, **keys, **_files(endpoint)})
        after_first = _counts(app)
        second = _post(client, reached.actor, url, {**data, **keys, **_files(endpoint)})
        after_second = _counts(app)
    assert first.status_code < 500 and second.status_code < 500, endpoint
    created = {t for t in before if after_first[t] != before[t]}
    added = {t: after_second[t] - after_first[t] for t in before if after_second[t] != after_first[t]}
    if endpoint in SECOND_POST_ADDS:
        assert added, f"{endpoint}: the second post adds nothing now; take it out of SECOND_POST_ADDS"
        return
    assert not added, f"{endpoint}: the same form sent twice stored again: {added} (status {second.status_code})"
    if created and keyed and endpoint not in ANSWERED_OTHERWISE:
        # Protected by its key: the second post is answered as the first.
        assert first.status_code == second.status_code, (endpoint, first.status_code, second.status_code)
        assert first.headers.get("Location") == second.headers.get("Location"), endpoint
    if created and names:
        assert endpoint in FORM_PAGES or endpoint in OFFERED_NOWHERE, f"{endpoint}: name the page of its form"
    assert bool(created) == (endpoint in CREATING), \
        f"{endpoint}: creates {sorted(created)}" if created else f"{endpoint}: creates nothing; take it out of CREATING"


def check_export_button(app) -> None:
    """Every export button (exports/_request.html) is a form of its own with a fresh key."""
    with app.test_request_context():
        template = app.jinja_env.from_string('{% from "exports/_request.html" import export_button %}'
                                             '{{ export_button("test-anyone", {"steps": 2}, "Maak") }}'
                                             '{{ export_button("test-anyone", {"steps": 2}, "Maak") }}')
        html = template.render()
    keys = re.findall(r'name="submission_key" value="([^"]+)"', html)
    assert len(keys) == 2 and keys[0] != keys[1], html
