"""Role groups for the capabilities' expected-access tables.

Each capability writes out by hand which roles may use each of its routes (`Capability.
expected_access`); `tests/test_access_policy.py` compares those tables with the policy's own
declarations and with every route of the app. These groups are plain role codes, deliberately not
derived from the policy's permissions, so a mistake on one side shows up as a difference.
"""

from ret_app.kernel.registry import PUBLIC, TOKEN  # noqa: F401

EVERYONE = frozenset({"chair", "ret_member", "caseworker", "provider_member", "network_liaison", "analyst",
                      "privacy_officer", "admin"})
CASE_ROLES = frozenset({"chair", "ret_member", "caseworker", "provider_member"})
CHAIR = frozenset({"chair"})
CASEWORKER = frozenset({"caseworker"})
ADMIN = frozenset({"admin"})
NETWORK_LIAISON = frozenset({"network_liaison"})
RET = frozenset({"chair", "ret_member"})
# the region's privacy hub and a case's access log: the chair and the privacy officer of the region
PRIVACY = frozenset({"chair", "privacy_officer"})
