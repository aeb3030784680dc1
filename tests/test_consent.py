"""Consent per person and scope: the Jeugdwet age rules at their boundaries, legal grounds,
withdrawal."""

from datetime import date, datetime, timedelta, timezone

import pytest

from ret_app.cases import consent
from ret_app.models import Case, Consent, FamilyMember, LegalGround

TODAY = date(2026, 11, 24)


def birth_date_for_age(age: int, *, turns_tomorrow: bool = False) -> date:
    """A birth date so the youth is `age` today (and `age + 1` tomorrow when asked)."""
    day = TODAY + timedelta(days=1) if turns_tomorrow else TODAY
    return day.replace(year=day.year - (age + 1 if turns_tomorrow else age))


def make_case(age: int, holders: int = 2, **kw) -> Case:
    case = Case(youth_birth_date=birth_date_for_age(age, **kw))
    for i in range(holders):
        case.family_members.append(FamilyMember(id=i + 1, relation="mother" if i == 0 else "father",
                                                parental_authority=True))
    case.family_members.append(FamilyMember(id=99, relation="sibling", parental_authority=False))
    return case


def give(case: Case, scope: str, member_id=None, *, on=TODAY - timedelta(days=3), withdrawn=None):
    case.consents.append(Consent(scope=scope, family_member_id=member_id,
                                 given_by_role="youth" if member_id is None else "parent",
                                 given_on=on, form="written", recorded_by_id=1, withdrawn_on=withdrawn))


def stands(case: Case, scope: str = "ret") -> bool:
    return consent.scope_status(case, scope, TODAY).stands


@pytest.mark.parametrize("age,turns_tomorrow", [(16, False), (17, False), (23, False), (15, True)])
def test_sixteen_and_over_decides_alone(age, turns_tomorrow):
    case = make_case(age, turns_tomorrow=turns_tomorrow)
    if turns_tomorrow:  # 15 today, 16 tomorrow: still the 12-15 rule today
        give(case, "ret")
        assert not stands(case)
        return
    assert not stands(case)
    give(case, "ret")
    assert stands(case)
    # Parents are not asked (and their consent alone is not enough).
    other = make_case(age)
    give(other, "ret", 1)
    give(other, "ret", 2)
    assert not stands(other)


@pytest.mark.parametrize("age", [12, 13, 15])
def test_twelve_to_fifteen_needs_youth_and_every_authority_holder(age):
    case = make_case(age)
    give(case, "ret")
    assert not stands(case)
    give(case, "ret", 1)
    status = consent.scope_status(case, "ret", TODAY)
    assert not status.stands and [m.id for m in status.missing_holders] == [2]
    give(case, "ret", 2)
    assert stands(case)


def test_boundary_eleven_twelve():
    eleven = make_case(11, turns_tomorrow=True)  # 11 today, 12 tomorrow
    give(eleven, "ret", 1)
    give(eleven, "ret", 2)
    assert stands(eleven), "under 12 the parents with authority decide"
    twelve = make_case(12)
    give(twelve, "ret", 1)
    give(twelve, "ret", 2)
    assert not stands(twelve), "from 12 the youth must consent too"
    assert consent.scope_status(twelve, "ret", TODAY).youth_missing


def test_boundary_fifteen_sixteen():
    fifteen = make_case(15)
    give(fifteen, "ret")
    assert not stands(fifteen)
    sixteen = make_case(16)
    give(sixteen, "ret")
    assert stands(sixteen)


def test_under_twelve_without_registered_authority_is_flagged():
    case = make_case(8, holders=0)
    give(case, "ret")  # the child's own consent does not replace a parent's
    status = consent.scope_status(case, "ret", TODAY)
    assert not status.stands and status.authority_missing


def test_a_guardian_with_authority_counts_as_holder():
    case = Case(youth_birth_date=birth_date_for_age(9))
    case.family_members.append(FamilyMember(id=5, relation="guardian", parental_authority=True))
    give(case, "ret", 5)
    assert stands(case)


def test_ages_twenty_three_and_twenty_four_still_decide_alone():
    for age in (23, 24):
        case = make_case(age)
        give(case, "ret")
        assert stands(case)


def test_scopes_are_separate():
    case = make_case(17)
    give(case, "ret")
    assert stands(case, "ret") and not stands(case, "collective") and not stands(case, "network")


def test_withdrawal_ends_consent_from_that_day():
    case = make_case(17)
    give(case, "collective", withdrawn=TODAY)
    assert not stands(case, "collective")
    later = make_case(17)
    give(later, "collective", withdrawn=TODAY + timedelta(days=1))
    assert stands(later, "collective")


def test_future_consent_does_not_count_yet():
    case = make_case(17)
    give(case, "ret", on=TODAY + timedelta(days=1))
    assert not stands(case)


def test_legal_ground_stands_in_for_consent_until_ended():
    case = make_case(14)
    case.legal_grounds.append(LegalGround(scope="ret", reason="Veiligheid van de jeugdige", recorded_by_id=1))
    status = consent.scope_status(case, "ret", TODAY)
    assert status.stands and status.by_legal_ground
    assert not stands(case, "collective")
    case.legal_grounds[0].ended_at = datetime.now(timezone.utc)
    assert not stands(case)


def test_refresh_flags():
    case = make_case(17)
    give(case, "ret")
    give(case, "collective")
    consent.refresh_flags(case, TODAY)
    assert (case.consent_ret, case.consent_collective, case.consent_network) == (True, True, False)


@pytest.mark.parametrize("birth,day,age", [
    (date(2010, 2, 28), date(2026, 2, 27), 15), (date(2010, 2, 28), date(2026, 2, 28), 16),
    (date(2008, 2, 29), date(2026, 2, 28), 17), (date(2008, 2, 29), date(2026, 3, 1), 18),
])
def test_age_on(birth, day, age):
    assert consent.age_on(birth, day) == age


# --- the consent grid: the age rules decide whose rows appear -----------------------------------

def rows(case: Case) -> list[str]:
    return [row.key for row in consent.grid_rows(case, TODAY)]


@pytest.mark.parametrize("age,turns_tomorrow,expected", [
    (23, False, ["youth"]),
    (16, False, ["youth"]),  # from 16 the youth alone: the parents have no row
    (15, True, ["youth", "1", "2"]),  # 16 tomorrow, not today
    (12, False, ["youth", "1", "2"]),
    (11, True, ["1", "2"]),  # 12 tomorrow: today the parents alone
    (4, False, ["1", "2"]),
])
def test_grid_rows_follow_the_age_rules(age, turns_tomorrow, expected):
    case = make_case(age, turns_tomorrow=turns_tomorrow)
    assert rows(case) == expected  # the sibling (99, no authority) never has a row


def test_grid_rows_without_a_birth_date_or_without_authority():
    case = make_case(14)
    case.youth_birth_date = None
    assert rows(case) == ["youth", "1", "2"], "without a birth date everyone is asked"
    assert rows(make_case(9, holders=0)) == [], "under 12 without a registered holder nobody can consent yet"
    assert rows(make_case(13, holders=0)) == ["youth"]


def test_grid_rows_know_what_is_on_record_per_scope():
    case = make_case(14)
    give(case, "ret", 1)
    give(case, "collective", 1, withdrawn=TODAY - timedelta(days=1))  # withdrawn: can be given again
    give(case, "network")
    by_key = {row.key: row for row in consent.grid_rows(case, TODAY)}
    assert set(by_key["1"].standing) == {"ret"}
    assert set(by_key["youth"].standing) == {"network"}
    assert by_key["2"].standing == {}
    assert by_key["1"].cell("collective") == "1:collective"
