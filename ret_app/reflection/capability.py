"""The reflection report per access team or municipality as a capability: its page, its export kind
(registered by services.py on import), audit words and the expected access of its route.
The chair and RET members of a region and the region's analyst; an access team or municipality of
another region answers 404."""

from ret_app.kernel.registry import Capability
from ret_app.reflection import audit_words, services  # noqa: F401  (the export kind)
from ret_app.reflection import routes  # noqa: F401  (views registered)
from ret_app.reflection.blueprint import bp

capability = (
    Capability("reflection")
    .blueprint(bp)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .expected_access({"reflection.page": frozenset({"chair", "ret_member", "analyst"})})
)
