"""Re-referral: the stored match key, matching by BSN or by name and birth date (case and accents do not
count, two different BSNs never match, only the region's own submitted cases), suggestions made when a
case is submitted or taken into intake, the chair's decision with its audit records and timeline entries
on both cases, who sees a link (the policy and its SQL twin agree over every role), the pages (case page,
intake page, start card) with constant query counts, the measure against an independent computation on a
generated set, and the migration's backfill on rows at the previous revision."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from ret_app import policy
from ret_app.cases import lifecycle
from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.errors import RuleError
from ret_app.models import AuditEvent, Case, CaseEvent, CaseLink, LegalGround, User
from ret_app.models.rereferrals import normalise_name, youth_match_key
from ret_app.rereferrals import matching, measures, queries, services
from tests.conftest import csrf_token, login

BIRTH = date(2011, 3, 14)
LONG_AGO = datetime(2024, 1, 8, 9, 0, tzinfo=timezone.utc)


def moment(days_ago: int) -> datetime:
    return datetime.now(timezone.utc) - timedelta(days=days_ago)


def make_case(factory, app, worker, municipality, *, status="submitted", first="Zoë", last="van Dijk",
              birth=BIRTH, bsn=None, submitted=None, closed=None, **fields) -> int:
    """A case of `worker`'s team with this youth; submitted `submitted` (default: now, unless a concept)."""
    if submitted is None and status != "concept":
        submitted = moment(0)
    case_id = factory.case(worker, municipality, status=status, submitted_at=submitted, closed_at=closed, **fields)
    with app.app_context():
        case = db.session.get(Case, case_id)
        case.youth_first_name, case.youth_last_name, case.youth_birth_date, case.youth_bsn = first, last, birth, bsn
        db.session.commit()
    return case_id


@pytest.fixture
def w(make_world):
    return make_world(names={"chair": "Voorzitter Vos"})


def client_for(app, user):
    client = app.test_client()
    login(client, app, user)
    return client


def decide(client, case_id, link_id, decision, back="case"):
    token = csrf_token(client, "/start")
    return client.post(f"/casussen/{case_id}/eerdere-casussen/{link_id}",
                       data={"csrf_token": token, "decision": decision, "back": back})


def links(case_id) -> dict[int, CaseLink]:
    return {link.earlier_case_id: link for link in db.session.scalars(select(CaseLink).where(CaseLink.case_id == case_id))}


# --- the key and the matching ------------------------------------------------------------------------------

def test_the_key_ignores_case_accents_and_spacing_and_needs_all_three_parts():
    assert normalise_name("  Zoë  Van-Dijk ") == "zoe van dijk"
    assert normalise_name("ÇELİK") == normalise_name("celik")
    key = youth_match_key("Zoë", "van Dijk", BIRTH)
    assert key == youth_match_key("ZOE", "Van  Dijk", BIRTH) == youth_match_key("zoe", "van-dijk", BIRTH)
    assert key != youth_match_key("Zoë", "van Dijk", BIRTH + timedelta(days=1))
    assert key != youth_match_key("Zoë", "van Dyk", BIRTH)
    assert youth_match_key("Zoë", "", BIRTH) is None and youth_match_key("Zoë", "van Dijk", None) is None
    assert "dijk" not in key and len(key) == 64  # a digest: no second readable copy of the name


def test_the_stored_key_follows_every_change_of_the_youth(ctx, w, factory, app):
    case_id = make_case(factory, app, w.caseworker, w.municipality, status="concept")
    case = db.session.get(Case, case_id)
    assert case.youth_match_key == youth_match_key("Zoë", "van Dijk", BIRTH)
    case.youth_birth_date = BIRTH + timedelta(days=3)
    db.session.flush()
    assert case.youth_match_key == youth_match_key("Zoë", "van Dijk", BIRTH + timedelta(days=3))
    case.youth_last_name = ""
    db.session.flush()
    assert case.youth_match_key is None


def test_matching_by_bsn_or_by_name_and_birth_date_in_the_region_only(ctx, w, factory, app):
    bsn, other_bsn = "111222333", "123456782"
    same_bsn = make_case(factory, app, w.other_caseworker, w.other_municipality, status="closed", first="Z.",
                         last="Dijk", bsn=bsn, submitted=moment(400), closed=moment(300))
    same_name = make_case(factory, app, w.caseworker, w.municipality, status="closed", first="ZOE",
                          last="Van Dijk", submitted=moment(200), closed=moment(150))
    two_bsns = make_case(factory, app, w.caseworker, w.municipality, status="closed", bsn=other_bsn,
                         submitted=moment(100), closed=moment(90))
    make_case(factory, app, w.caseworker, w.municipality, status="concept")  # never referred
    make_case(factory, app, w.elsewhere.caseworker, w.elsewhere.municipality, status="closed",
              submitted=moment(250), closed=moment(200))  # another region
    make_case(factory, app, w.caseworker, w.municipality, first="Zoë", last="van Dijk", birth=BIRTH.replace(day=15),
              submitted=moment(60))  # another birth date
    later_id = make_case(factory, app, w.caseworker, w.municipality, bsn=bsn, submitted=moment(1))
    later_still = make_case(factory, app, w.colleague, w.municipality, submitted=moment(0))  # after `later_id`

    found = matching.earlier_cases(db.session.get(Case, later_id))
    assert [(case.id, basis) for case, basis in found] == [(same_name, "name"), (same_bsn, "bsn")]
    assert two_bsns not in [case.id for case, _basis in found]  # 123456782 and 111222333: two youths
    # The youth without a BSN on the newest case: every earlier one of this name and birth date, BSN or not.
    newest = [case.id for case, _basis in matching.earlier_cases(db.session.get(Case, later_still))]
    assert newest == [later_id, two_bsns, same_name]


# --- suggestions and decisions -----------------------------------------------------------------------------

def test_taking_into_intake_suggests_the_earlier_cases_once_and_the_chair_decides(ctx, w, factory, app):
    earlier_id = make_case(factory, app, w.other_caseworker, w.other_municipality, status="closed",
                           submitted=moment(500), closed=moment(200))
    later_id = make_case(factory, app, w.caseworker, w.municipality, submitted=moment(2))
    case = db.session.get(Case, later_id)
    case.legal_grounds.append(LegalGround(scope="ret", reason="Veiligheid", recorded_by_id=w.caseworker.id))
    chair = db.session.get(User, w.chair.id)
    lifecycle.apply(case, chair, "start_intake")
    [link] = links(later_id).values()
    assert (link.earlier_case_id, link.basis, link.status) == (earlier_id, "name", "suggested")
    assert services.suggest(case) == []  # again: nothing new

    services.decide(link, chair, "confirm")
    assert (link.status, link.decided_by_id) == ("confirmed", w.chair.id)
    kinds = {(e.case_id, e.kind, e.summary) for e in db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id.in_([earlier_id, later_id])))}
    earlier = db.session.get(Case, earlier_id)
    assert {(later_id, "rereferral_suggested", earlier.reference), (later_id, "rereferral_confirmed", earlier.reference),
            (earlier_id, "rereferred_later", case.reference)} <= kinds
    audited = [(a.action, a.object_type, a.detail) for a in db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "case_link", AuditEvent.object_id == str(link.id))
        .order_by(AuditEvent.id))]
    assert audited == [("create", "case_link", f"suggested;basis=name;earlier_case={earlier_id}"),
                       ("update", "case_link", f"confirmed;basis=name;earlier_case={earlier_id}")]
    assert not any("Dijk" in (detail or "") for _a, _o, detail in audited)

    with pytest.raises(RuleError) as refused:
        services.decide(link, chair, "confirm")
    assert "al bevestigd" in str(refused.value)
    services.decide(link, chair, "dismiss")  # undone: the earlier case's timeline says so
    assert link.status == "dismissed"
    assert db.session.scalar(select(CaseEvent.summary).where(CaseEvent.case_id == earlier_id,
                                                             CaseEvent.kind == "rereferred_later_undone")) == case.reference


def test_a_suggestion_that_no_longer_matches_goes_when_the_case_is_submitted_again(ctx, w, factory, app):
    make_case(factory, app, w.caseworker, w.municipality, status="closed", submitted=moment(300), closed=moment(100))
    later_id = make_case(factory, app, w.caseworker, w.municipality, submitted=moment(1))
    case = db.session.get(Case, later_id)
    assert len(services.suggest(case)) == 1
    case.youth_first_name = "Anna"  # corrected while it was back with the access team
    db.session.flush()
    services.suggest(case)
    assert links(later_id) == {}


# --- who sees a link ---------------------------------------------------------------------------------------

@pytest.fixture
def linked(w, factory, app):
    """An earlier closed case of the other access team, a later one of the first team, confirmed; a second
    earlier case of the first team still suggested; the provider invited to the later case."""
    from ret_app.models import CaseParticipant

    other_team_case = make_case(factory, app, w.other_caseworker, w.other_municipality, status="closed",
                                submitted=moment(500), closed=moment(300))
    own_team_case = make_case(factory, app, w.caseworker, w.municipality, status="closed",
                              submitted=moment(250), closed=moment(200))
    later_id = make_case(factory, app, w.caseworker, w.municipality, submitted=moment(2), consent_collective=True)
    with app.app_context():
        later = db.session.get(Case, later_id)
        later.participants.append(CaseParticipant(role="provider", organisation_id=w.provider.id,
                                                  invited_by_id=w.chair.id))
        services.suggest(later)
        confirmed = links(later_id)[other_team_case]
        services.decide(confirmed, db.session.get(User, w.chair.id), "confirm")
        own = links(later_id)[own_team_case]
        services.decide(own, db.session.get(User, w.chair.id), "confirm")
        services.decide(own, db.session.get(User, w.chair.id), "dismiss")
        db.session.commit()
        ids = {"other_team_case": other_team_case, "own_team_case": own_team_case, "later": later_id,
               "confirmed": confirmed.id, "dismissed": own.id}
    return ids


PEOPLE = ("chair", "member", "director", "caseworker", "colleague", "other_caseworker", "provider_member",
          "other_provider_member", "elsewhere.chair", "elsewhere.member", "network_liaison", "analyst", "admin")


def person(w, name):
    return getattr(w.elsewhere, name.split(".")[1]) if name.startswith("elsewhere.") else w[name]


def test_who_sees_which_link_and_the_sql_twin_agrees(ctx, w, linked):
    # (page of, link) -> who sees it: the RET side sees the confirmed link on both pages, the chair alone
    # the dismissed match (on the later case's page only). The access team of the later case does not
    # see the earlier case of the other team, nor does that team see the later case; the provider invited
    # to the later case does not see the earlier one: none of them sees the link.
    expected = {
        ("later", "confirmed"): {"chair", "member", "director"},
        ("later", "dismissed"): {"chair"},
        ("other_team_case", "confirmed"): {"chair", "member", "director"},
    }
    seen = {}
    for name in PEOPLE:
        user = db.session.get(User, person(w, name).id)
        for page in ("later", "other_team_case", "own_team_case"):
            case = db.session.get(Case, linked[page])
            shown = {row.link.id for row in queries.links_of(case, user)}
            by_python = set()
            for link in db.session.scalars(select(CaseLink).where(
                    (CaseLink.case_id == case.id) | (CaseLink.earlier_case_id == case.id))):
                other = link.earlier_case if link.case_id == case.id else link.case
                if policy.can_see_link(user, link, case, other):
                    by_python.add(link.id)
            assert shown == by_python, (name, page)  # the SQL twin agrees with the rule
            for link_name in ("confirmed", "dismissed"):
                if linked[link_name] in shown:
                    seen.setdefault((page, link_name), set()).add(name)
    assert seen == expected


def test_a_caseworker_who_may_see_both_cases_sees_their_link(ctx, w, factory, app):
    earlier = make_case(factory, app, w.caseworker, w.municipality, status="closed", submitted=moment(300),
                        closed=moment(200))
    later = make_case(factory, app, w.colleague, w.municipality, submitted=moment(1))
    case = db.session.get(Case, later)
    [link] = services.suggest(case)
    assert queries.links_of(case, db.session.get(User, w.caseworker.id)) == []  # a suggestion: the chair's
    services.decide(link, db.session.get(User, w.chair.id), "confirm")
    assert [row.other.id for row in queries.links_of(case, db.session.get(User, w.caseworker.id))] == [earlier]
    assert [row.other.id for row in queries.links_of(db.session.get(Case, earlier), db.session.get(User, w.colleague.id))] == [later]
    assert queries.links_of(case, db.session.get(User, w.other_caseworker.id)) == []


# --- the pages ---------------------------------------------------------------------------------------------

def test_the_chair_confirms_on_the_intake_page_and_both_case_pages_show_the_link(app, w, factory):
    earlier_id = make_case(factory, app, w.other_caseworker, w.other_municipality, status="closed",
                           first="ZOE", submitted=moment(400), closed=datetime(2026, 3, 2, 10, tzinfo=timezone.utc))
    later_id = make_case(factory, app, w.caseworker, w.municipality, submitted=moment(1))
    with app.app_context():
        [link] = services.suggest(db.session.get(Case, later_id))
        db.session.commit()
        link_id, earlier_ref = link.id, db.session.get(Case, earlier_id).reference
    chair = client_for(app, w.chair)
    intake = chair.get(f"/casussen/{later_id}/intake").get_data(as_text=True)
    assert 'id="rereferrals"' in intake and earlier_ref in intake and "mogelijk dezelfde jeugdige" in intake
    assert intake.index('id="rereferrals"') < intake.index('value="accept"')  # before the decision
    start = chair.get("/start").get_data(as_text=True)
    assert 'id="start-rereferrals-count">1 aanmelding met een mogelijke eerdere casus<' in start

    response = decide(chair, later_id, link_id, "confirm", back="intake")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/casussen/{later_id}/intake#rereferrals")
    with app.app_context():
        assert db.session.get(CaseLink, link_id).status == "confirmed"
    assert 'id="start-rereferrals"' not in chair.get("/start").get_data(as_text=True)  # nothing left to decide
    page = chair.get(f"/casussen/{later_id}").get_data(as_text=True)
    assert earlier_ref in page and "bevestigde heraanmelding" in page and "2 maart 2026" in page
    assert "Heraanmelding bevestigd" in page  # the timeline
    member = client_for(app, w.member)
    earlier_page = member.get(f"/casussen/{earlier_id}").get_data(as_text=True)
    assert "Andere casussen van deze jeugdige" in earlier_page and "latere aanmelding" in earlier_page and "De jeugdige is opnieuw aangemeld" in earlier_page
    assert "Niet dezelfde jeugdige" not in earlier_page and "Koppeling ongedaan maken" not in earlier_page
    caseworker = client_for(app, w.caseworker)  # referred the later case only
    own = caseworker.get(f"/casussen/{later_id}").get_data(as_text=True)
    assert earlier_ref not in own and 'id="rereferrals"' not in own and "Heraanmelding" not in own


def test_the_decision_route_refuses_what_it_must(app, w, factory):
    earlier_id = make_case(factory, app, w.caseworker, w.municipality, status="closed", submitted=moment(400),
                           closed=moment(300))
    later_id = make_case(factory, app, w.caseworker, w.municipality, submitted=moment(1))
    other_id = make_case(factory, app, w.caseworker, w.municipality, first="Anna", submitted=moment(1))
    with app.app_context():
        [link] = services.suggest(db.session.get(Case, later_id))
        db.session.commit()
        link_id = link.id
    chair = client_for(app, w.chair)
    assert decide(chair, other_id, link_id, "confirm").status_code == 404  # another case's link
    assert decide(chair, earlier_id, link_id, "confirm").status_code == 404  # from the earlier side
    assert decide(chair, later_id, link_id, "merge").status_code == 400
    assert decide(client_for(app, w.elsewhere.chair), later_id, link_id, "confirm").status_code == 404
    assert decide(client_for(app, w.member), later_id, link_id, "confirm").status_code == 403
    assert decide(chair, later_id, link_id, "dismiss").status_code == 302
    again = decide(chair, later_id, link_id, "dismiss")
    page = chair.get(again.headers["Location"]).get_data(as_text=True)
    assert "Deze eerdere casus is al afgewezen." in page
    with app.app_context():
        assert db.session.get(CaseLink, link_id).status == "dismissed"
        denied = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "case_link",
                                                             AuditEvent.outcome == "denied")).all()
        assert denied  # the other case's link: audited as refused


@pytest.mark.counts_queries("cases.case_page", "cases.intake_decision", "main.start")
def test_the_pages_do_not_grow_with_the_number_of_earlier_cases(app, make_world, factory, count_queries):
    counts = {}
    for size in (5, 50):
        w = make_world()
        workers = [factory.user("caseworker", w.team.id, activated=False) for _ in range(size)]
        for n, worker in enumerate(workers):
            make_case(factory, app, worker, w.municipality, status="closed", submitted=moment(900 - n),
                      closed=moment(800 - n))
        later_id = make_case(factory, app, w.caseworker, w.municipality, submitted=moment(1))
        with app.app_context():
            new = services.suggest(db.session.get(Case, later_id))
            for link in new[: size // 2]:
                services.decide(link, db.session.get(User, w.chair.id), "confirm")
            db.session.commit()
        chair = client_for(app, w.chair)
        counts[size] = []
        for url in (f"/casussen/{later_id}", f"/casussen/{later_id}/intake", "/start"):
            assert chair.get(url).status_code == 200
            with count_queries() as statements:
                body = chair.get(url).get_data(as_text=True)
            if url != "/start":
                assert body.count('id="rereferral-') == size, url
            else:
                assert 'id="start-rereferrals"' in body
            counts[size].append(len(statements))
    assert counts[5] == counts[50], counts


# --- the measure -------------------------------------------------------------------------------------------

def _utc(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.utc)


def test_the_measure_agrees_with_an_independent_count_on_a_generated_set(ctx, w):
    """Some hundreds of youths, each with a chain of one to four cases; confirmed, dismissed and suggested
    links; closings around the period's edges and re-referrals around the 12-month edge."""
    rng = random.Random(12)
    first_day, last_day = date(2025, 1, 1), date(2025, 6, 30)
    cases, links_made = [], []
    reference = iter(range(1, 100000))
    for youth in range(400):
        day = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 500))
        chain = []
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
            closed = day + timedelta(days=rng.randrange(20, 200)) if rng.random() < 0.85 else None
            case = Case(reference=f"RET-M-{next(reference)}", region_id=w.region.id, municipality_id=w.municipality.id,
                        submitting_organisation_id=w.team.id, caseworker_id=w.caseworker.id,
                        status="closed" if closed else "monitoring", youth_first_name="Jeugdige",
                        youth_last_name=f"Meting{youth}", submitted_at=_utc(day),
                        closed_at=_utc(closed, rng.choice((0, 10, 22))) if closed else None)
            chain.append(case)
            if closed:  # the next referral: before the closing (parallel), on the day, or around 12 months
                day = closed + timedelta(days=rng.choice((-30, 0, 1, 100, 300, 364, 365, 366, 400)))
            else:
                day += timedelta(days=rng.randrange(10, 60))
        cases += chain
        for earlier, later in zip(chain, chain[1:]):
            links_made.append((earlier, later, rng.choice(("confirmed", "confirmed", "confirmed", "dismissed", "suggested"))))
    db.session.add_all(cases)
    db.session.flush()
    for earlier, later, status in links_made:
        db.session.add(CaseLink(case_id=later.id, earlier_case_id=earlier.id, basis="name", status=status))
    db.session.flush()

    # The independent count: walk each youth's chain as generated, following confirmed links only.
    confirmed = {(e.id, lt.id) for e, lt, s in links_made if s == "confirmed"}
    neighbours: dict[int, set[int]] = {}
    for e, lt in confirmed:
        neighbours.setdefault(e, set()).add(lt)
        neighbours.setdefault(lt, set()).add(e)
    by_id = {c.id: c for c in cases}

    def nl_day(moment_: datetime) -> date:
        return moment_.astimezone(dates.AMSTERDAM).date()

    def in_period(c) -> bool:
        return c.closed_at is not None and first_day <= nl_day(c.closed_at) <= last_day

    def twelve_months(day: date) -> date:
        try:
            return day.replace(year=day.year + 1)
        except ValueError:
            return date(day.year + 1, 2, 28)

    groups, seen = [], set()
    for c in cases:
        if c.id in seen:
            continue
        group, todo = set(), [c.id]
        while todo:
            current = todo.pop()
            if current not in group:
                group.add(current)
                todo += neighbours.get(current, ())
        seen |= group
        groups.append(group)
    youths = again = 0
    for group in groups:
        closed_here = [by_id[i] for i in group if in_period(by_id[i])]
        if not closed_here:
            continue
        youths += 1
        if any(nl_day(c.closed_at) <= nl_day(by_id[lt].submitted_at) <= twelve_months(nl_day(c.closed_at))
               for c in closed_here for e, lt in confirmed if e == c.id):
            again += 1
    result = measures.share_referred_again(w.region.id, first_day, last_day)
    assert youths > 100 and 10 < again < youths  # the set exercises both sides, or this proves little
    assert (result.youths, result.referred_again) == (youths, again)
    assert result.share == again / youths
    assert measures.share_referred_again(w.region.id, last_day, first_day) == measures.RereferralShare(0, 0)
    assert measures.share_referred_again(w.elsewhere.municipality.region_id, first_day, last_day).share is None


def test_twelve_months_later_is_the_same_day_or_the_months_last_day():
    assert measures.months_later(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert measures.months_later(date(2025, 1, 31), 12) == date(2026, 1, 31)
    assert measures.months_later(date(2025, 8, 31), 6) == date(2026, 2, 28)


# --- the migration -----------------------------------------------------------------------------------------

from tests.test_migrations import fresh_app, fresh_database_url  # noqa: E402,F401  (fixtures)


def test_the_migration_fills_the_keys_and_suggests_for_referrals_waiting_for_intake(fresh_app):  # noqa: F811
    from flask_migrate import upgrade

    from tests.test_due_dates import _Rows

    with fresh_app.app_context():
        upgrade(revision="0015_outcomes")
        with db.engine.begin() as conn:
            rows = _Rows(conn)

            def case(n, status, first="Zoë", last="van Dijk", birth=BIRTH, region_id=None, **values):
                return rows.add("ret_case", reference=f"RET-MIG-{n}", region_id=region_id or rows.region,
                                municipality_id=rows.municipality, submitting_organisation_id=rows.team,
                                caseworker_id=rows.worker, status=status, urgency="regular", youth_first_name=first,
                                youth_last_name=last, youth_birth_date=birth, question="Vraag", why_stuck="Wachtlijst",
                                placement_intended=False, consent_ret=True, consent_collective=False,
                                consent_network=False, version=1, **values)

            ids = {
                "closed": case(1, "closed", submitted_at=LONG_AGO, closed_at=LONG_AGO + timedelta(days=90)),
                "bsn": case(2, "closed", first="Jeugdige", last="Anders", birth=None, youth_bsn="111222333",
                            submitted_at=LONG_AGO, closed_at=LONG_AGO + timedelta(days=60)),
                "waiting": case(3, "submitted", first="ZOE", last="Van  Dijk", youth_bsn="111222333",
                                submitted_at=LONG_AGO + timedelta(days=400)),
                "in_track": case(4, "screening", submitted_at=LONG_AGO + timedelta(days=300)),
                "concept": case(5, "concept", last=""),
                "elsewhere": case(6, "closed", submitted_at=LONG_AGO, closed_at=LONG_AGO + timedelta(days=9),
                                  region_id=rows.add("region", name="Regio Elders")),
            }
        upgrade(revision="0016_rereferral")
        with db.engine.connect() as conn:
            import sqlalchemy as sa

            keys = dict(conn.execute(sa.text("SELECT id, youth_match_key FROM ret_case")).all())
            made = {tuple(r) for r in conn.execute(sa.text(
                "SELECT case_id, earlier_case_id, basis, status FROM case_link"))}
    key = youth_match_key("Zoë", "van Dijk", BIRTH)
    assert keys[ids["closed"]] == keys[ids["waiting"]] == keys[ids["in_track"]] == key  # the application's key
    assert keys[ids["elsewhere"]] == key
    assert keys[ids["bsn"]] is None  # no birth date
    assert keys[ids["concept"]] is None
    # The referral waiting for intake: the earlier case by name (and the one in a track, submitted before
    # it), the one with its BSN; the case in a track gets none (it was taken on before this revision).
    assert made == {(ids["waiting"], ids["closed"], "name", "suggested"),
                    (ids["waiting"], ids["in_track"], "name", "suggested"),
                    (ids["waiting"], ids["bsn"], "bsn", "suggested")}


def test_the_demo_has_a_confirmed_re_referral_and_a_suggestion_waiting(app):
    from ret_app import demo

    with app.app_context():
        demo.seed()
        db.session.commit()
        # The stories' links (the later case still open; the generated history's confirmed re-referrals link
        # closed cases: tests/test_demo_history.py).
        rows = {(link.case.youth_name, link.basis, link.status, link.earlier_case.status)
                for link in db.session.scalars(select(CaseLink)) if link.case.status != "closed"}
        lieke = db.session.scalar(select(CaseLink).where(CaseLink.status == "confirmed"))
        gap = lieke.case.submitted_at - lieke.earlier_case.closed_at
        chair = db.session.scalar(select(User).where(User.email == "voorzitter@mijov.example"))
        region_id = lieke.case.region_id
        share = measures.share_referred_again(region_id, dates.local_date(lieke.earlier_case.closed_at),
                                              dates.local_date(lieke.earlier_case.closed_at))
    assert rows == {("Lieke van Dijk", "name", "confirmed", "closed"), ("Daan Kuipers", "name", "suggested", "closed")}
    assert timedelta(days=0) < gap < timedelta(days=365)
    assert (share.youths, share.referred_again) == (1, 1)
    client = app.test_client()
    login(client, app, chair, password=demo.DEMO_PASSWORD)
    assert 'id="start-rereferrals-count">1 aanmelding met een mogelijke eerdere casus<' in client.get("/start").get_data(as_text=True)


def prepare_for_csrf(env, endpoint: str) -> tuple[str, dict]:
    """tests/test_csrf.py: the chair of the objects' region signed in, and the URL and valid data of a
    decision on an earlier case of the youth of the objects' case (an earlier closed case, suggested)."""
    app, objects = env.app, env.objects
    env.login_as("chair", organisation_id=objects.ret_org.id)
    earlier = env.factory.case(objects.target, objects.municipality, status="closed", submitted_at=moment(400),
                               closed_at=moment(200))
    with app.app_context():
        link = CaseLink(case_id=objects.case_id, earlier_case_id=earlier, basis="name", status="suggested")
        db.session.add(link)
        db.session.commit()
        link_id = link.id
        db.session.remove()
    return f"/casussen/{objects.case_id}/eerdere-casussen/{link_id}", {"decision": "confirm", "back": "case"}
