"""Erasure and the purge remove a case's personal data everywhere, and nothing else.

The region of tests/test_anonymisation_exports.py (its `exports` fixture): three closed cases whose every
free-text column (found from the models) holds the youth's name, BSN, birth date, address, school and
family, an outcome gap each (a signal is raised), the chair's responses to the signal. Here case 0 also
gets an attachment file in the store and an export job about it. After an erasure (a granted request) or a
purge (an approved destruction list) every String/Text/JSON/binary column of EVERY table of the database,
every file of the attachment store and every stored export is searched for case 0's values (normalised:
case, spacing, digits without separators, Dutch written dates): none is found; the other cases keep theirs
(the search can fail); the analyst's year tables, the gap rows the signal rule reads and the signals' counts
are unchanged; `verify-audit` passes; every step is audited.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from ret_app import audit
from ret_app.erasure import eraser, purge, services
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import (
    AuditEvent, Base, Case, CaseStatus, DestructionList, ErasureRecord, ErasureRequest,
    ExportJob, GapSignal, LegalHold, RegionNorms, User,
)
from tests.test_anonymisation_exports import YOUTHS, leaks, values_of
from tests import test_anonymisation_exports as anonymisation

exports = anonymisation.exports  # the module-scoped region (its fixture)

ATTACHMENT_TEXT = "Verslag over {first} {last}, BSN {bsn}, geboren {birth:%d-%m-%Y}."


def _attach_file(app, case_id: int, y) -> str:
    """A real attachment file in the store (and its row), as the upload would leave it."""
    from ret_app.referrals.attachments import _write
    from ret_app.models import Attachment

    key = secrets.token_hex(20)
    data = ATTACHMENT_TEXT.format(first=y.first, last=y.last, bsn=y.bsn, birth=y.birth).encode()
    case = db.session.get(Case, case_id)
    db.session.add(Attachment(case_id=case_id, filename="verslag.txt", content_type="text/plain", size=len(data),
                              sha256="0" * 64, storage_key=key, uploaded_by_id=case.caseworker_id))
    _write(key, data)
    return key


def _export_job(case_id: int, user_id: int, y) -> int:
    job = ExportJob(kind="inspection-copy", params={"case_id": case_id}, requested_by_id=user_id, status="done",
                    filename="dossier.pdf", mimetype="application/pdf",
                    content=f"Dossier {y.first} {y.last} {y.bsn}".encode(), size=10)
    db.session.add(job)
    db.session.flush()
    return job.id


# Texts outside the case that may mention it: scrubbed of the case's known identifiers (its people's names,
# BSN, birth date) and of patterns (addresses, phone numbers, e-mail, dates); a word the case never stored
# (a town, school or e-mail address written only in free text) cannot be recognised there and is searched for in the
# case's own tables only.
MENTIONS = {"signal_response"}


def _identifiers_of(y) -> list[str]:
    """What the case stored about its people, as the eraser knows it: names, BSN, birth date, contacts."""
    never_stored = {y.town, y.school, y.email, y.email.split("@")[1], *y.school.split()}
    return [v for v in values_of(y) if v not in never_stored]


def _every_value_in_the_database(skip: frozenset = frozenset()) -> str:
    """Every text, JSON and binary value of every table (the audit trail included), one text."""
    parts = []
    for table in Base.metadata.sorted_tables:
        if table.name in skip:
            continue
        columns = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text, sa.JSON, sa.LargeBinary))]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for value in row:
                if value is None:
                    continue
                if isinstance(value, bytes):
                    value = value.decode("utf-8", "replace")
                parts.append(str(value))
    # Dates: the birth date as a stored date.
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, sa.Date) and not isinstance(column.type, sa.DateTime):
                parts += [str(v) for v in db.session.scalars(select(column)) if v is not None]
    return "\n".join(parts)


def _store_text(app) -> str:
    from ret_app.referrals.attachments import storage_root

    root = storage_root()
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in Path(root).rglob("*") if p.is_file())


def _analyst_tables(region_id: int):
    from ret_app.analyst import aggregates

    tables = aggregates._build(region_id, dates.today().year, ["residential", "ambulatory"])
    return {name: repr(getattr(tables, name)) for name in ("results", "placements", "flow", "gaps", "rereferral",
                                                            "days")}


def _gap_rows(region_id: int):
    from ret_app.signals import rule

    first, last = rule.window(dates.today(), rule.settings_for(region_id).window_months)
    return sorted((r.case_id, r.category_id, r.care_type) for r in rule.gap_rows(region_id, first, last))


def _signals(region_id: int):
    return sorted((s.gap_category_id, s.care_type or "", s.status, s.case_count, s.raised_count) for s in
                  db.session.scalars(select(GapSignal).where(GapSignal.region_id == region_id)))


def _snapshot(region_id: int):
    return _analyst_tables(region_id), _gap_rows(region_id), _signals(region_id)


@pytest.fixture
def planted(app, exports, tmp_path, monkeypatch):
    """Case 0 with an attachment file (in a store of its own) and an export job; the values before anything
    is erased."""
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path / "attachments"))
    with app.app_context():
        case_id = exports.case_ids[0]
        key = _attach_file(app, case_id, YOUTHS[0])
        job_id = _export_job(case_id, exports.world.chair.id, YOUTHS[0])
        db.session.commit()
        before = _snapshot(exports.world.region.id)
        everything = _every_value_in_the_database()
        # The control: every kind of value is there before, so the search below can fail.
        assert {"Quirinus", "123456782", "2014-03-03", "Kastanjelaan", "Ermengarde"} <= set(
            leaks(everything, values_of(YOUTHS[0])))
        assert leaks(_store_text(app), values_of(YOUTHS[0]))
        yield {"case_id": case_id, "key": key, "job_id": job_id, "before": before}


def _assert_gone(app, exports, planted):
    everything = _every_value_in_the_database(skip=frozenset(MENTIONS))
    assert leaks(everything, values_of(YOUTHS[0])) == []
    assert leaks(_every_value_in_the_database(), _identifiers_of(YOUTHS[0])) == []
    assert leaks(_store_text(app), values_of(YOUTHS[0])) == []
    # The other cases keep theirs: the search still finds what it looks for.
    assert "Evertdina" in leaks(everything, values_of(YOUTHS[1]))
    job = db.session.get(ExportJob, planted["job_id"])
    assert job.content is None and job.removed_at is not None
    case = db.session.get(Case, planted["case_id"])
    assert case.status == CaseStatus.ERASED and case.erased_at is not None
    assert (case.youth_first_name, case.youth_bsn, case.youth_birth_date, case.question) == ("", None, None, "")
    assert case.closed_at.day == 1 and case.region_id == exports.world.region.id
    # The counts: the analyst's tables, the rows the signal rule reads and the signals stay.
    assert _snapshot(exports.world.region.id) == planted["before"]
    report = audit.verify_chain(full=True)
    assert report.ok, report.reason


def test_every_table_of_a_case_is_erased_or_kept_without_free_text(app):
    """The eraser finds the tables from the foreign keys; the tables it keeps (emptied) are named, with the
    codes they keep; every kept code column exists (a renamed column would keep free text by mistake)."""
    with app.app_context():
        names = {t.name for t in eraser.case_tables()}
        assert {"family_member", "screening_contribution", "plan_version", "escalation_message",
                "attachment", "case_outcome", "outcome_gap"} <= names
        for name, codes in eraser.KEEP.items():
            assert name in names, f"KEEP names {name}, no table of a case"
            assert codes <= {c.name for c in Base.metadata.tables[name].columns}
        assert eraser.CASE_KEEP <= {c.name for c in Case.__table__.columns}


def test_a_granted_request_erases_the_case_everywhere(app, exports, planted):
    with app.app_context():
        chair = db.session.get(User, exports.world.chair.id)
        case = db.session.get(Case, planted["case_id"])
        request = services.record_request(case, chair, requester_kind="parent", requester_name="Ermengarde Vandermolen",
                                          received_on=dates.today() - timedelta(days=10))
        assert request.due_on == dates.today() - timedelta(days=10) + __import__(
            "dateutil.relativedelta").relativedelta.relativedelta(months=3)
        record = services.grant_request(request, chair)
        db.session.commit()
        assert record.why == "request" and record.rows_removed > 20 and record.files_removed == 3  # two attachments, one export
        assert not Path(_store_path(app, planted["key"])).exists()
        _assert_gone(app, exports, planted)
        request = db.session.get(ErasureRequest, request.id)
        assert (request.status, request.requester_name, request.requester_kind) == ("granted", "", "parent")
        details = [(e.action, e.object_type, e.detail) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.case_id == planted["case_id"]).order_by(AuditEvent.id.desc())
            .limit(3))]
        assert ("delete", "case") in {(a, o) for a, o, _d in details}
        assert ("update", "erasure_request", "granted") in details


def _store_path(app, key: str) -> Path:
    from ret_app.referrals.attachments import _path

    return _path(key)


def test_an_open_case_or_one_on_hold_is_refused(app, factory, exports):
    with app.app_context():
        chair = db.session.get(User, exports.world.chair.id)
        open_id = factory.case(exports.world.caseworker, exports.world.municipality, status="monitoring")
        request = services.record_request(db.session.get(Case, open_id), chair, requester_kind="youth",
                                          requester_name="X", received_on=dates.today())
        with pytest.raises(services.RuleError, match="sluit hem eerst af"):
            services.grant_request(request, chair)
        closed = db.session.get(Case, exports.case_ids[1])
        services.place_hold(closed, chair, "Tuchtzaak loopt")
        request = services.record_request(closed, chair, requester_kind="youth", requester_name="X",
                                          received_on=dates.today())
        with pytest.raises(services.RuleError, match="bewaarplicht"):
            services.grant_request(request, chair)
        services.refuse_request(request, chair, ground="legal_hold", reason="Tuchtzaak")
        assert request.status == "refused" and closed.status == CaseStatus.CLOSED
        with pytest.raises(services.RuleError):
            services.refuse_request(request, chair, ground="other", reason="")


def _privacy_officer(factory, exports) -> User:
    return db.session.get(User, factory.user("privacy_officer", exports.world.ret.id, name="Privacy Functionaris").id)


def _expire(region_id: int, years: int = 0) -> None:
    norms = db.session.get(RegionNorms, region_id)
    if norms is None:
        norms = RegionNorms(region_id=region_id)
        db.session.add(norms)
    norms.retention_years = years
    db.session.flush()


def test_the_purge_erases_only_approved_cases_not_on_hold_or_taken_off(app, factory, exports, planted):
    with app.app_context():
        region_id = exports.world.region.id
        officer = _privacy_officer(factory, exports)
        chair = db.session.get(User, exports.world.chair.id)
        _expire(region_id, 0)  # closed days ago + 0 years: past retention
        held = db.session.get(Case, exports.case_ids[1])
        services.place_hold(held, officer, "Klacht in behandeling")
        # The dry run lists, and changes nothing.
        assert sorted(c.id for c in services.draft_list(region_id, dry_run=True)[1]) == [exports.case_ids[0],
                                                                                         exports.case_ids[2]]
        assert db.session.scalar(select(sa.func.count()).select_from(DestructionList)
                                 .where(DestructionList.status != "done")) == 0
        draft, cases = services.draft_list(region_id, officer)
        assert sorted(c.id for c in cases) == [exports.case_ids[0], exports.case_ids[2]]  # not the held case
        db.session.commit()
        # Nothing is purged before approval.
        assert purge.purge() == 0
        assert db.session.get(Case, exports.case_ids[0]).status == CaseStatus.CLOSED
        with pytest.raises(services.RuleError):
            services.purge_entry(draft.entries[0])
        # The chair cannot approve; the officer takes case 2 off with a reason, then approves.
        with pytest.raises(services.RuleError, match="privacyfunctionaris"):
            services.approve(draft, chair)
        taken_off = next(e for e in draft.entries if e.case_id == exports.case_ids[2])
        with pytest.raises(services.RuleError):
            services.take_off(taken_off, officer, " ")
        services.take_off(taken_off, officer, "Nog nodig voor een lopende procedure")
        services.approve(draft, officer)
        db.session.commit()
        # A hold placed after approval stops the purge of that case too: hold case 0? No: case 0 is purged.
        assert purge.purge() == 1
        db.session.expire_all()
        assert db.session.get(Case, exports.case_ids[2]).status == CaseStatus.CLOSED
        assert db.session.get(Case, exports.case_ids[1]).status == CaseStatus.CLOSED
        assert db.session.get(DestructionList, draft.id).status == "done"
        record = db.session.scalar(select(ErasureRecord).where(ErasureRecord.case_id == exports.case_ids[0]))
        assert record.why == "retention" and record.destruction_list_id == draft.id
        _assert_gone(app, exports, planted)
        # Drafting again does not list the case taken off (it is on a finished list) twice nor the erased one.
        kinds = {(e.action, e.object_type) for e in db.session.scalars(select(AuditEvent).where(
            AuditEvent.object_type.in_(["destruction_list", "destruction_entry", "legal_hold", "case"])))}
        assert {("create", "destruction_list"), ("update", "destruction_list"), ("update", "destruction_entry"),
                ("create", "legal_hold"), ("delete", "case")} <= kinds


def test_an_interrupted_purge_is_finished_by_a_rerun(app, factory, exports, monkeypatch):
    with app.app_context():
        region_id = exports.world.region.id
        officer = _privacy_officer(factory, exports)
        _expire(region_id, 0)
        draft, cases = services.draft_list(region_id, officer)
        assert len(cases) == 3
        services.approve(draft, officer)
        db.session.commit()
        real = eraser.erase_case
        calls = {"n": 0}

        def dies_on_the_second(case, **kw):
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("the machine went down")
            return real(case, **kw)

        monkeypatch.setattr(services, "erase_case", dies_on_the_second)
        with pytest.raises(RuntimeError):
            purge.purge()
        db.session.rollback()
        order = [e.case_id for e in db.session.get(DestructionList, draft.id).entries]  # the purge's order
        statuses = [db.session.get(Case, cid).status for cid in order]
        # The first case is erased whole, the second is untouched (its transaction rolled back): nothing half.
        assert statuses == ["erased", "closed", "closed"]
        second = db.session.get(Case, order[1])
        assert second.youth_first_name == YOUTHS[exports.case_ids.index(order[1])].first
        assert second.family_members and second.attachments
        assert db.session.get(DestructionList, draft.id).status == "approved"
        monkeypatch.setattr(services, "erase_case", real)
        assert purge.purge() == 2
        db.session.expire_all()
        assert [db.session.get(Case, cid).status for cid in exports.case_ids] == ["erased"] * 3
        assert db.session.get(DestructionList, draft.id).status == "done"
        assert audit.verify_chain(full=True).ok


def test_a_hold_stops_the_purge_and_is_lifted_with_a_reason(app, factory, exports):
    with app.app_context():
        region_id = exports.world.region.id
        officer = _privacy_officer(factory, exports)
        _expire(region_id, 0)
        draft, cases = services.draft_list(region_id, officer)
        services.approve(draft, officer)
        hold = services.place_hold(db.session.get(Case, exports.case_ids[0]), officer, "Verzoek van de rechter")
        with pytest.raises(services.RuleError):
            services.place_hold(db.session.get(Case, exports.case_ids[0]), officer, "Nog een")
        db.session.commit()
        assert purge.purge() == 2
        db.session.expire_all()
        assert db.session.get(Case, exports.case_ids[0]).status == CaseStatus.CLOSED
        with pytest.raises(services.RuleError):
            services.lift_hold(db.session.get(LegalHold, hold.id), officer, "")
        services.lift_hold(db.session.get(LegalHold, hold.id), officer, "Zaak afgerond")
        assert services.active_hold(exports.case_ids[0]) is None


def test_retention_is_stored_and_extended_with_a_reason(app, factory, exports):
    with app.app_context():
        chair = db.session.get(User, exports.world.chair.id)
        case = db.session.get(Case, exports.case_ids[0])
        services.refresh_region(exports.world.region.id)
        closed_on = dates.local_date(case.closed_at)
        assert case.retain_until == date(closed_on.year + 20, closed_on.month, closed_on.day)
        later = case.retain_until + timedelta(days=365 * 5)
        with pytest.raises(services.RuleError):
            services.extend_retention(case, chair, later, "")
        services.extend_retention(case, chair, later, "Lopende procedure")
        assert case.retain_until == later
        _expire(exports.world.region.id, 0)
        services.refresh_region(exports.world.region.id)
        assert case.retain_until == later  # the extension wins over shorter years
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "retention")).first()
        assert event.case_id == case.id and "Lopende" not in (event.detail or "")
