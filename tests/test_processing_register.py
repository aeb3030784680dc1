"""The register of processing stays true: every text column of a table that holds people or cases is in
a category of the register or excused with a reason, and the register names no column that does not
exist. A new column of personal data fails here until the register says what it is."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import String, Text

from ret_app.models import Base
from ret_app.privacy import register

ROOTS = {"ret_case", "user_account"}
ALSO = {"audit_event"}  # refers to cases and users by plain ids (the trail outlives them)


def people_tables() -> set[str]:
    """The case and user tables, every table that refers to them by a foreign key, directly or through
    another table that does, and the audit trail."""
    tables = Base.metadata.tables
    found = set(ROOTS)
    changed = True
    while changed:
        changed = False
        for table in tables.values():
            if table.name not in found and {fk.column.table.name for fk in table.foreign_keys} & found:
                found.add(table.name)
                changed = True
    return found | ALSO


def text_columns() -> set[str]:
    tables = Base.metadata.tables
    return {f"{name}.{column.name}" for name in people_tables() for column in tables[name].columns
            if isinstance(column.type, (String, Text))}


def test_every_personal_data_column_is_in_the_register_or_excused():
    listed = set(register.listed_columns()) | set(register.EXCUSED)
    missing = sorted(text_columns() - listed)
    assert not missing, f"columns the register of processing does not name (a category or EXCUSED): {missing}"


def test_the_register_names_only_columns_that_exist():
    tables = Base.metadata.tables
    existing = {f"{t.name}.{c.name}" for t in tables.values() for c in t.columns}
    named = set(register.listed_columns()) | set(register.EXCUSED)
    assert not sorted(named - existing)


def test_a_column_is_either_listed_or_excused_not_both():
    assert not set(register.listed_columns()) & set(register.EXCUSED)
    columns = [c for category in register.CATEGORIES for c in category.columns]
    assert len(columns) == len(set(columns)), "a column is in two categories"


def test_the_scan_would_catch_a_new_column():
    """The test above cannot pass vacuously: the scan finds the known personal data columns."""
    found = text_columns()
    for column in ("ret_case.youth_bsn", "family_member.name", "plan_goal.text", "user_account.email",
                   "audit_event.user_name", "provider_contact.phone"):
        assert column in found, column


def test_every_recipient_is_known():
    for category in register.CATEGORIES:
        assert category.recipients and set(category.recipients) <= set(register.RECIPIENTS), category.code


def test_the_docs_page_is_the_register(app):
    """docs/processing-register.md is generated from the same data (flask --app ret_app processing-register)."""
    from flask_babel import force_locale

    text = (Path(__file__).resolve().parent.parent / "docs" / "processing-register.md").read_text()
    with app.test_request_context(), force_locale("en"):
        assert text == register.markdown(), "regenerate: flask --app ret_app processing-register > docs/processing-register.md"
    for category in register.CATEGORIES:
        assert f"`{category.code}`" in text, category.code
