"""The lists of inspection and correction requests: of one case (its page), and of a region (the privacy
hub), newest first, each a constant number of queries (what a row shows is loaded with it)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ret_app.extensions import db
from ret_app.models import Case, CorrectionRequest, InspectionRequest, InspectionStatus


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


@dataclass
class OpenRequests:
    count: int
    oldest: list  # (request id, case id, case reference, received on), the oldest first


def open_of_region(region_id: int, limit: int) -> tuple[OpenRequests, OpenRequests]:
    """The region's inspection requests not yet handed over or refused and its undecided correction requests:
    the number of each and the oldest `limit` (two queries each)."""
    open_inspection = (Case.region_id == region_id,
                       InspectionRequest.status.in_((InspectionStatus.RECEIVED.value, InspectionStatus.CHECKED.value)))
    open_correction = Case.region_id == region_id, CorrectionRequest.decision.is_(None)
    out = []
    for model, where in ((InspectionRequest, open_inspection), (CorrectionRequest, open_correction)):
        count = db.session.scalar(select(func.count(model.id)).join(Case, model.case_id == Case.id).where(*where))
        oldest = db.session.execute(
            select(model.id, Case.id, Case.reference, model.received_on).join(Case, model.case_id == Case.id)
            .where(*where).order_by(model.received_on, model.id).limit(limit)).all()
        out.append(OpenRequests(count or 0, list(oldest)))
    return out[0], out[1]
