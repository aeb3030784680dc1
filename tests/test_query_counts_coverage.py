"""Every list and start page of the app has a test that its query count does not grow with its rows.

The pages come from `app.url_map`: every route that answers GET is either
- counted: a test in tests/ marked `@pytest.mark.counts_queries("<endpoint>", ...)` requests it while
  counting, for few and for many rows (the `count_queries` fixture fails that test unless each page it
  names was requested while counting, so a marker cannot claim what its test does not measure); or
- listed below as not a list, with the reason.
A new route fails here until it is one or the other; an entry below for a route that no longer exists,
or that is counted after all, fails too (the table stays true)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent

NOT_A_LIST = {
    # Redirects and forms without rows of their own.
    "main.index": "redirects to the start page or the sign-in",
    "admin.index": "redirects to the user list",
    "main.accessibility": "the accessibility statement: a fixed text, no rows",
    "main.floor": "make bench's floor: the base layout and one fixed statement, no rows (tests/test_bench.py)",
    "operations.health_check": "the load balancer's health check: two fixed statements (SELECT 1, the migration), no rows",
    "auth.login": "the sign-in form",
    "auth.second_factor": "the sign-in's second step",
    "auth.recovery_code": "the sign-in with a recovery code",
    "auth.reauthenticate": "asks the password again",
    "auth.activate": "the activation form of one account",
    "auth.enrol": "the authenticator enrolment of one account",
    "account.change_password": "the password form",
    "referrals.referral_new": "the form that starts a referral",
    "referrals.family_edit": "the form of one family member",
    "commitments.request_page": "one request (its answer, withdrawal, start and end forms)",
    "admin.mandate_detail": "one mandate",
    "admin.municipality_edit": "the form of one municipality",
    "admin.network_edit": "the form of one network",
    "admin.organisation_edit": "the form of one organisation",
    "admin.region_edit": "the form of one region",
    "admin.region_norms": "the form of one region's norms",
    "meetings.new": "the form for a new session",
    "meetings.edit": "the form of one session's details",
    "meetings.followup_answer": "the answer form of one provisional decision",
    "exports.job": "one export job's state and progress",
    "exports.download": "the file of one export job",
    "caretypes.edit": "the form of one care type",
    "outcomes.category_edit": "the form of one gap category",
    "api_tokens.token_new": "the form that issues an API token",
    "api.openapi": "the monitor API's OpenAPI document (no rows)",
    "collective.profile_edit": "the form of one provider's profile",
    "collective.capacity_edit": "the form of one capacity entry (with its latest updates, a fixed number)",
    "notifications.preferences": "the form of one's own choices per kind of notification (the registered kinds)",
    # Files of one thing, not pages.
    "referrals.attachment_download": "one attachment's file",
    "screening.screening_report": "the screening report of one case (PDF)",
    "meetings.minutes_pdf": "the minutes of one session (PDF)",
    "meetings.extract_pdf": "one case's extract of the minutes (PDF)",
    "meetings.calendar_invitation": "one session's calendar file",
    "plans.plan_pdf": "the plan of one case (PDF)",
    "vignettes.page": "one learning vignette (its text and the chair's forms)",
    "inspection.inspection_page": "one inspection request (its parts withheld: at most one per registered section)",
    "inspection.correction_form": "the form of a new correction request",
    "inspection.correction_page": "one correction request, its decision and its addendum",
    "vignettes.pdf": "one learning vignette (PDF)",
    "privacy.processing_register": "the register of processing: a fixed table from ret_app/privacy/register.py",
    "privacy.hub": "the privacy hub: each registered section holds its own list to a constant count",
    "erasure.request_page": "one erasure request and its decision form",
    "static": "static files",
}


def counted_endpoints() -> dict[str, list[str]]:
    """endpoint -> the tests marked as counting it (read from the test modules' source)."""
    found: dict[str, list[str]] = {}
    for path in sorted(TESTS.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for decorator in node.decorator_list:
                if (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
                        and decorator.func.attr == "counts_queries"):
                    for arg in decorator.args:
                        assert isinstance(arg, ast.Constant) and isinstance(arg.value, str), \
                            f"{path.name}::{node.name}: name the endpoints as plain strings"
                        found.setdefault(arg.value, []).append(f"{path.name}::{node.name}")
    return found


def get_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}


def test_every_list_and_start_page_has_a_count_test(app):
    counted = counted_endpoints()
    missing = sorted(get_endpoints(app) - set(counted) - set(NOT_A_LIST))
    assert not missing, (
        "these pages have no test that their query count stays the same for few and many rows: add one "
        "to tests/test_query_counts*.py marked @pytest.mark.counts_queries(...) (or, when the page shows "
        f"no list, add it to NOT_A_LIST here with the reason): {missing}")


def test_the_table_names_existing_pages_once(app):
    counted = counted_endpoints()
    endpoints = get_endpoints(app)
    assert not sorted(set(NOT_A_LIST) - endpoints), "NOT_A_LIST names routes that no longer answer GET"
    assert not sorted(set(NOT_A_LIST) & set(counted)), "a counted page is also listed as not a list"
    assert not sorted(set(counted) - endpoints), "a count test names a page that does not exist"


def test_the_lists_and_start_pages_named_by_the_issue_are_counted():
    """The case list (each filter), the intake queue, the sessions list, my actions, the admin lists,
    the audit search, the mandates and the start page (tested per role) are among the counted pages."""
    counted = counted_endpoints()
    for endpoint in ("cases.case_list", "cases.intake_queue", "meetings.index", "actions.mine", "admin.users",
                     "admin.mandates", "admin.regions", "admin.networks", "admin.municipalities",
                     "admin.organisations", "admin.audit", "mandates.mine", "main.start"):
        assert endpoint in counted, endpoint
