"""axe-core over every page a role can reach (issue 14): for the chair, a caseworker and the administrator,
every GET route of the access-policy matrix that the role may open is loaded in Chromium with the matrix's
objects (the caseworker and the chair in the organisations of the objects' case, invited to its sessions),
and axe reports no serious or critical violation. The pages that answer with a file (PDF, CSV, calendar)
are left out, as in the CSP walk (tests/test_security_headers.py).

One test for all roles: the matrix's objects are built in it (a browser test commits for real and empties
the tables when it ends; the matrix's module fixture lives in the module's rolled-back transaction)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import BLOCKING_IMPACTS, axe_violations, sign_in
from tests.conftest import Factory
from tests.test_access_policy import ALLOWED_GET_REDIRECTS, GET_PROTECTED, allowed, build_url
from tests.test_access_policy import objects as matrix_objects
from tests.test_security_headers import DOWNLOADS, _relate_to_sessions

pytestmark = pytest.mark.browser

# The chair, a caseworker and the administrator are related to the matrix's objects: every page they may
# open answers 200. The other roles are not: the pages of objects that are not theirs answer 404 and are
# left out, what is theirs (start page, lists, account, their own hubs) is checked.
RELATED = ("chair", "caseworker", "admin")
ROLES = RELATED + ("ret_member", "provider_member", "network_liaison", "analyst", "privacy_officer")


def _skipped(endpoint: str, role: str) -> bool:
    if not allowed(endpoint, role) or endpoint in ALLOWED_GET_REDIRECTS or endpoint in DOWNLOADS:
        return True
    if endpoint.startswith("escalations.") and role != "chair":
        return True  # the RET's pages: a caseworker of the case gets 404
    if endpoint == "outcomes.outcome_page" and role != "chair":
        return True
    return endpoint == "exports.job"  # the requester's own page


def test_every_page_of_each_role_has_no_serious_axe_violation(app, new_page):
    built = matrix_objects.__wrapped__(app)
    objects = next(built)
    factory = Factory(app)
    problems: dict[str, list] = {}
    checked: dict[str, int] = {"anonymous": 0}
    anonymous = new_page()
    for url in ("/inloggen", "/toegankelijkheid"):  # the public pages
        assert anonymous.goto(url).status == 200
        blocking = [v["id"] for v in axe_violations(anonymous) if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            problems[f"anonymous {url}"] = blocking
        checked["anonymous"] += 1
    anonymous.close()
    for role in ROLES:
        checked[role] = 0
        organisation = {"caseworker": objects.access_team, "chair": objects.ret_org}.get(role)
        user = factory.user(role, **({"organisation_id": organisation.id} if organisation else {}))
        _relate_to_sessions(app, objects, user)
        page = new_page()
        sign_in(page, app, user)
        for endpoint in GET_PROTECTED:
            if _skipped(endpoint, role):
                continue
            url = build_url(app, endpoint, objects)
            try:
                response = page.goto(url)
            except PlaywrightError as error:
                if "Download is starting" in str(error):
                    continue  # a file (an attachment), no page
                raise
            if response is None or response.status != 200:
                if role in RELATED:
                    problems[f"{role} {url}"] = [f"status {response.status if response else None}"]
                continue
            if not response.text().lstrip().lower().startswith("<!doctype html"):
                continue  # an htmx fragment (its page is checked with it in place)
            blocking = [(v["id"], v["impact"], v["nodes"][0]["target"] if v["nodes"] else None)
                        for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]
            if blocking:
                problems[f"{role} {url}"] = blocking
            checked[role] += 1
        page.close()
    print(f"axe: pages checked per role {checked}")
    assert checked["anonymous"] == 2 and all(checked[role] >= 3 for role in ROLES), checked
    assert sum(checked.values()) > 170, checked
    assert not problems, "\n".join(f"{where}: {what}" for where, what in sorted(problems.items()))
