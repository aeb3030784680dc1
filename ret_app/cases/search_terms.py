"""Search terms kept out of URLs (ASVS 8.3.1: no names in URLs, browser history or access logs).

A term typed in the case list's search field may be a youth's or a parent's name. The browser POSTs
it (CSRF-protected); it is kept here, in the user's server-side session, under a short random id,
and only that id goes into the list's URL (`?zoek=<id>`), next to the filters that carry no names
(status, municipality, track, urgency, overdue, page). Paging, reloading and the back button bring
the id back and the term is looked up again. The id means nothing outside the session that made it:
a copied link opens the list without the term, with a notice; the terms go with the session (logout
clears it, `flask purge-expired` deletes ended sessions).
"""

from __future__ import annotations

import secrets
from typing import Optional

from flask import session

SESSION_KEY = "case_search_terms"
KEPT = 10  # the newest terms of the session: enough for the back button, not a search history
ID_BYTES = 6  # 8 URL-safe characters


def keep(term: str) -> str:
    """Keep `term` in the session; its id for the URL (the same id for the same term)."""
    kept = [pair for pair in session.get(SESSION_KEY, []) if isinstance(pair, list) and len(pair) == 2]
    existing = next((pair for pair in kept if pair[1] == term), None)
    if existing is not None:
        kept.remove(existing)
        search_id = existing[0]
    else:
        search_id = secrets.token_urlsafe(ID_BYTES)
    kept.append([search_id, term])
    session[SESSION_KEY] = kept[-KEPT:]
    return search_id


def recall(search_id: str) -> Optional[str]:
    """The term kept under `search_id` in this session, or None (unknown, expired, another session)."""
    if not search_id:
        return None
    for pair in session.get(SESSION_KEY, []):
        if isinstance(pair, list) and len(pair) == 2 and pair[0] == search_id:
            return pair[1]
    return None
