"""Paging for every list (cases, sessions, users, audit search)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select

from ret_app.extensions import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def paginate(stmt: Select, page: int, per_page: int) -> Page:
    """Keyless paging that fetches one extra row to know whether a next page exists."""
    page = max(1, page)
    rows = list(db.session.scalars(stmt.limit(per_page + 1).offset((page - 1) * per_page)))
    return Page(rows[:per_page], page, per_page, len(rows) > per_page)
