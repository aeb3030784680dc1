"""Which earlier cases of the region may be the same youth: one indexed query per case.

A case matches an earlier one when both carry the same BSN (certain), or the same stored key of first
name, last name and birth date (`Case.youth_match_key`: case, accents and spacing do not count) while
at most one of them has a BSN: two different BSNs are two different youths, however alike their names.
"Earlier" means submitted to the RET before this case (a concept was never referred). Only the case's
own region: the RET of another region does not see its cases. The indexes (region_id, youth_bsn) and
(region_id, youth_match_key) serve the two halves of the query.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select

from ret_app.extensions import db
from ret_app.models import Case, CaseStatus, LinkBasis


def basis_of(case: Case, earlier: Case) -> str:
    return LinkBasis.BSN.value if case.youth_bsn and earlier.youth_bsn == case.youth_bsn else LinkBasis.NAME.value


def earlier_cases(case: Case) -> list[tuple[Case, str]]:
    """The earlier cases of the same youth in the case's region, each with its basis (LinkBasis),
    most recent first. One query."""
    if case.submitted_at is None:
        return []
    matches = []
    if case.youth_bsn:
        matches.append(Case.youth_bsn == case.youth_bsn)
    if case.youth_match_key:
        matches.append(and_(Case.youth_match_key == case.youth_match_key,
                            or_(Case.youth_bsn.is_(None), Case.youth_bsn == case.youth_bsn)
                            if case.youth_bsn else True))
    if not matches:
        return []
    found = db.session.scalars(
        select(Case).where(
            Case.region_id == case.region_id, Case.id != case.id, Case.status != CaseStatus.CONCEPT.value,
            Case.submitted_at.is_not(None), Case.submitted_at < case.submitted_at, or_(*matches))
        .order_by(Case.submitted_at.desc(), Case.id.desc())).all()
    return [(earlier, basis_of(case, earlier)) for earlier in found]
