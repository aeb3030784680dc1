"""The lists of inspection and correction requests: of one case (its page), and of a region (the privacy
hub), newest first, each a constant number of queries (what a row shows is loaded with it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ret_app.extensions import db
from ret_app.models import Case, CorrectionRequest, InspectionRequest


def of_case(case_id: int) -> tuple[list[InspectionRequest], list[CorrectionRequest]]:
    inspections = db.session.scalars(
        select(InspectionRequest).where(InspectionRequest.case_id == case_id)
        .options(selectinload(InspectionRequest.withheld))
        .order_by(InspectionRequest.received_on.desc(), InspectionRequest.id.desc())).all()
    corrections = db.session.scalars(
        select(CorrectionRequest).where(CorrectionRequest.case_id == case_id)
        .order_by(CorrectionRequest.received_on.desc(), CorrectionRequest.id.desc())).all()
    return list(inspections), list(corrections)


def of_region(region_id: int, limit: int = 50) -> tuple[list[InspectionRequest], list[CorrectionRequest]]:
    """The region's requests (case reference, kind, dates, status: no names, no content), newest first."""
    inspections = db.session.scalars(
        select(InspectionRequest).join(Case, InspectionRequest.case_id == Case.id)
        .where(Case.region_id == region_id)
        .options(joinedload(InspectionRequest.case).load_only(Case.id, Case.reference, Case.region_id))
        .order_by(InspectionRequest.received_on.desc(), InspectionRequest.id.desc()).limit(limit)).all()
    corrections = db.session.scalars(
        select(CorrectionRequest).join(Case, CorrectionRequest.case_id == Case.id)
        .where(Case.region_id == region_id)
        .options(joinedload(CorrectionRequest.case).load_only(Case.id, Case.reference, Case.region_id))
        .order_by(CorrectionRequest.received_on.desc(), CorrectionRequest.id.desc()).limit(limit)).all()
    return list(inspections), list(corrections)
