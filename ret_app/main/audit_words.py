"""The audit trail's words for what no capability owns: a refused page (the access guard) and the
demo seed (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

WORDS = {"demo_seed": {"demo_region_seeded": _l("demo region filled")}}

NAMES = {"route": _l("Page"), "demo_seed": _l("Demo data")}
