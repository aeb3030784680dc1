"""The start page and the language switch as a capability; the region and network cards."""

from flask_babel import lazy_gettext as _l

from ret_app.expected import EVERYONE, PUBLIC
from ret_app.kernel.registry import Capability
from ret_app.main import audit_words
from ret_app.main import routes, services  # noqa: F401  (views registered)
from ret_app.main.blueprint import bp
from ret_app.policy import Permission

capability = (
    Capability("main")
    .blueprint(bp)
    .audit_words(audit_words.WORDS, audit_words.NAMES)
    .nav("main.start", _l("Start"), Permission.USE_APP, "main.", order=10)
    .start_card("region", "main/_start_region.html", services.region_card, order=60)
    .start_card("network", "main/_start_network.html", services.network_card, order=70)
    .expected_access({"main.index": PUBLIC, "main.start": EVERYONE, "main.set_language": PUBLIC,
                      "main.accessibility": PUBLIC, "main.floor": EVERYONE})
)
