"""SQL shapes the planner needs: `among(column, ids)` is `column IN (ids)`, written on PostgreSQL as
`column = ANY(ARRAY(ids))`.

Why: a visibility rule such as "own case or own team or taking part" written as OR-ed conditions (or
correlated EXISTS) on the case row makes PostgreSQL read every case in the country and test each one.
With the ids gathered first, each part by its own index, the outer query reads only those rows by
the primary key: PostgreSQL runs `ARRAY(subquery)` once (an InitPlan) and looks the few ids up, so
the time follows the user's own caseload, not the size of the table. SQLite plans `IN (subquery)`
that way already.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ColumnElement, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal


class Among(ColumnElement[bool]):
    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True
    _traverse_internals = [("portable", InternalTraversal.dp_clauseelement),
                           ("postgresql", InternalTraversal.dp_clauseelement)]

    def __init__(self, column, ids) -> None:
        self.portable = column.in_(ids)
        self.postgresql = column == func.any(func.array(ids.scalar_subquery()))

    @property
    def _from_objects(self):
        return self.portable._from_objects


def among(column, ids) -> ColumnElement[bool]:
    """`column` is one of the values `ids` (a select of one column, not correlated with the outer query)."""
    return Among(column, ids)


@compiles(Among)
def _portable(element: Among, compiler, **kw) -> str:
    return compiler.process(element.portable, **kw)


@compiles(Among, "postgresql")
def _postgresql(element: Among, compiler, **kw) -> str:
    return compiler.process(element.postgresql, **kw)
