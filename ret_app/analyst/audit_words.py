"""The audit trail's words for the analyst's reads (ret_app/audit_words.py)."""

from flask_babel import lazy_gettext as _l

WORDS: dict = {}
NAMES = {"aggregates": _l("aggregates of the region")}
