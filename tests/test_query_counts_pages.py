"""Pages of one thing that show lists of their own stay fast at any size: the referral (family, help
tried before, attachments), the consent screen, the screening (contributions, participants, addenda,
finalised or not) and the chair's intake decision (help tried before, the process-director choices)
issue the same number of queries for 5 and for 100 rows. (The case page, the user's own sessions and an
admin's user page are held to it by the walk of every page, tests/test_query_counts_walk.py.) Every row has relations of its own (its own author, organisation, municipality), so that a
relation loaded per row would show in the count."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Callable

import pytest

from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.kernel.dates import utcnow
from ret_app.models import (
    Attachment, CaseParticipant, Consent, FamilyMember, LegalGround, PriorHelp, Screening, ScreeningAddendum, ScreeningContribution,
)
from tests.conftest import login

SIZES = (5, 100)


def _same_count(app, client, count_queries, urls: list[str], add: Callable[[int], list[str] | dict]) -> None:
    """Grow to 5 and then to 100 things (`add(n)` adds n more and returns texts each page must show, or
    per url the texts that page must show); each page issues as many statements at 100 as at 5."""
    counts: dict[int, dict[str, int]] = {}
    have = 0
    for size in SIZES:
        shown = add(size - have)
        have = size
        counts[size] = {}
        for url in urls:
            assert client.get(url).status_code == 200, url  # warm up: the session touch, caches
            with count_queries() as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            body = response.get_data(as_text=True)
            for text in (shown[url] if isinstance(shown, dict) else shown):
                assert text in body, f"{url} does not show {text!r}: the count would measure nothing"
            counts[size][url] = len(statements)
    assert counts[SIZES[0]] == counts[SIZES[-1]], counts


def _signed_in(app, user):
    client = app.test_client()
    login(client, app, user)
    return client


def _providers(factory, world, n: int) -> list:
    """n providers of the collective, each with a member of its own."""
    orgs = [factory.organisation("provider", region_id=world.region.id, collective_member=True) for _ in range(n)]
    return [(org, factory.user("provider_member", org.id, activated=False)) for org in orgs]


# --- the case page ----------------------------------------------------------------------------------

# --- the referral, the consent screen and the intake decision ---------------------------------------

def _family_help_and_attachments(app, factory, world, case_id: int) -> Callable[[int], dict]:
    """n more family members (each with consent for the RET, recorded by a user of their own), legal
    grounds, help tried before and attachments; and n more RET members (the process-director choices).
    Returns per page what it must show."""
    numbers = iter(range(1000))

    def add(n: int) -> dict:
        recorders = [factory.user("caseworker", world.team.id, activated=False) for _ in range(n)]
        members = [factory.user("ret_member", world.ret.id, activated=False) for _ in range(n)]
        with app.app_context():
            for recorder in recorders:
                k = next(numbers)
                member = FamilyMember(case_id=case_id, relation="mother" if k % 2 else "guardian",
                                      parental_authority=True, name=f"Gezinslid {k:03d}")
                db.session.add(member)
                db.session.flush()
                db.session.add(Consent(case_id=case_id, scope="ret", family_member_id=member.id,
                                       given_by_role="parent", given_on=dates.today() - timedelta(days=3),
                                       form="written", recorded_by_id=recorder.id))
                db.session.add(LegalGround(case_id=case_id, scope="network", reason=f"Veiligheid {k:03d}",
                                           recorded_by_id=recorder.id))
                db.session.add(PriorHelp(case_id=case_id, provider=f"Aanbieder {k:03d}", help_type="Ambulant",
                                         from_date=date(2024, 1, 1), to_date=date(2024, 6, 1), end_reason="Geen"))
                db.session.add(Attachment(case_id=case_id, filename=f"bijlage-{k:03d}.pdf",
                                          content_type="application/pdf", size=1000 + k, sha256="0" * 64,
                                          storage_key=secrets.token_hex(16), uploaded_by_id=recorder.id))
            db.session.commit()
        return {f"/casussen/{case_id}/aanmelding": [f"Gezinslid {k:03d}", f"Aanbieder {k:03d}",
                                                    f"bijlage-{k:03d}.pdf"],
                f"/casussen/{case_id}/toestemming": [f"Gezinslid {k:03d}"],
                f"/casussen/{case_id}/intake": [f"Aanbieder {k:03d}", members[-1].name]}

    return add


@pytest.mark.counts_queries("referrals.referral_edit")
def test_the_referral_does_not_grow_with_the_family_help_or_attachments(app, factory, make_world, count_queries):
    world = make_world()
    case_id = factory.case(world.caseworker, world.municipality, birth_date=dates.today() - timedelta(days=365 * 14))
    _same_count(app, _signed_in(app, world.caseworker), count_queries, [f"/casussen/{case_id}/aanmelding"],
                _family_help_and_attachments(app, factory, world, case_id))


@pytest.mark.counts_queries("referrals.consent_page", "cases.intake_decision")
def test_the_consent_and_intake_pages_do_not_grow_with_the_family_help_or_directors(app, factory, make_world,
                                                                                   count_queries):
    world = make_world()
    case_id = factory.case(world.caseworker, world.municipality, status="submitted", submitted_at=utcnow(),
                           birth_date=dates.today() - timedelta(days=365 * 14))
    _same_count(app, _signed_in(app, world.chair), count_queries,
                [f"/casussen/{case_id}/toestemming", f"/casussen/{case_id}/intake"],
                _family_help_and_attachments(app, factory, world, case_id))


# --- the screening ----------------------------------------------------------------------------------

@pytest.mark.counts_queries("screening.screening_page")
@pytest.mark.parametrize("finalised", [False, True])
def test_the_screening_page_does_not_grow_with_contributions_participants_or_addenda(
        app, factory, make_world, count_queries, finalised):
    world = make_world()
    case_id = factory.case(world.caseworker, world.municipality, status="screening", track="process_direction",
                           process_director_id=world.director.id, consent_collective=True,
                           submitted_at=utcnow(), intake_at=utcnow())
    with app.app_context():
        db.session.add(CaseParticipant(case_id=case_id, role="ret_member", user_id=world.director.id,
                                       invited_by_id=world.chair.id))
        screening = Screening(case_id=case_id, analysis="Analyse", advice="Advies",
                              finalised_at=utcnow() if finalised else None,
                              finalised_by_id=world.director.id if finalised else None)
        db.session.add(screening)
        db.session.commit()
        screening_id = screening.id
    domains = ("safety", "mental_health", "education", "parenting", "housing")
    numbers = iter(range(1000))

    def add(n: int) -> list[str]:
        providers = _providers(factory, world, n)
        with app.app_context():
            for org, member in providers:
                k = next(numbers)
                db.session.add(CaseParticipant(case_id=case_id, role="provider", organisation_id=org.id,
                                               invited_by_id=world.chair.id))
                db.session.add(ScreeningContribution(screening_id=screening_id, author_id=member.id,
                                                     organisation_id=org.id, domain=domains[k % len(domains)],
                                                     severity=k % 5, notes=f"Bijdrage {k:03d}"))
                if finalised:
                    db.session.add(ScreeningAddendum(screening_id=screening_id, author_id=member.id,
                                                     text=f"Aanvulling {k:03d}"))
            db.session.commit()
        return [providers[-1][0].name, f"Bijdrage {k:03d}"] + ([f"Aanvulling {k:03d}"] if finalised else [])

    client = _signed_in(app, world.director)
    _same_count(app, client, count_queries, [f"/casussen/{case_id}/screening"], add)


# --- the user's own sessions and an admin's user page ---------------------------------------------

