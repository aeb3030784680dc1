"""Lists stay fast at any size: the user list and the mandate register (with their filters), the audit
search and the start page of every role (each card) issue the same number of queries for 5 and for 100
rows. (The reference lists and a holder's own mandates are held to it by the walk of every page,
tests/test_query_counts_walk.py.) Every row points at relations of its own (its own organisation,
municipality, region, holder), so that a relation loaded per row would show in the count."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Callable

import pytest
from sqlalchemy import select

from ret_app.extensions import db
from ret_app.kernel import dates
from ret_app.models import Case, User
from tests import worlds
from tests.conftest import login

SIZES = (5, 100)


def _statements(client, count_queries, url: str) -> tuple[int, str]:
    """The number of statements a page issues (after a warm-up request), and its body."""
    assert client.get(url).status_code == 200  # warm up: the session touch, caches
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(statements), response.get_data(as_text=True)


def _same_count(client, count_queries, urls: list[str], add: Callable[[int], list[str]]) -> None:
    """Grow the data to 5 and then to 100 things (`add(n)` adds n more and returns a text that each
    page must now show); each page issues as many statements at 100 as at 5."""
    counts: dict[int, dict[str, int]] = {}
    have = 0
    for size in SIZES:
        shown = add(size - have)
        have = size
        counts[size] = {}
        for url in urls:
            counts[size][url], body = _statements(client, count_queries, url)
            for text in shown:
                assert text in body, f"{url} does not show {text!r}: the count would measure nothing"
    assert counts[SIZES[0]] == counts[SIZES[-1]], counts


@pytest.fixture
def admin_client(app, factory):
    client = app.test_client()
    login(client, app, factory.user("admin"))
    return client


# --- the management lists --------------------------------------------------------------------

@pytest.mark.counts_queries("admin.users")
def test_the_user_list_does_not_grow_with_its_rows(factory, count_queries, admin_client):
    numbers = iter(range(1000))

    def add(n: int) -> list[str]:
        # Each user in an organisation of its own; named to sort before everyone else.
        users = [factory.user("ret_member", factory.organisation("ret").id, activated=False,
                              name=f"Aa Lid {next(numbers):03d}") for _ in range(n)]
        return [users[0].name]

    _same_count(admin_client, count_queries,
                ["/beheer/gebruikers", "/beheer/gebruikers?role=ret_member", "/beheer/gebruikers?status=pending",
                 "/beheer/gebruikers?q=aa+lid"], add)


@pytest.mark.counts_queries("admin.mandates", "admin.mandate_new")
def test_the_mandate_register_does_not_grow_with_its_rows(factory, count_queries, admin_client):
    today = dates.today()

    def add(n: int) -> list[str]:
        names = []
        for _ in range(n):
            # A holder and a municipality of its own for each mandate.
            region = factory.region()
            municipality = factory.municipality(region.id)
            team = factory.organisation("access_team", region_id=region.id, municipality_id=municipality.id)
            holder = factory.user("caseworker", team.id, activated=False)
            factory.mandate(holder.id, municipality.id, valid_from=today - timedelta(days=10),
                            valid_until=today + timedelta(days=20))
            names.append(holder.name)
        return names[-1:]  # the newest first (all expire the same day)

    # The new mandate's form offers every holder and municipality (selects).
    _same_count(admin_client, count_queries,
                ["/beheer/mandaten", "/beheer/mandaten?status=valid", "/beheer/mandaten/nieuw"], add)


@pytest.mark.counts_queries("admin.audit")
def test_the_audit_search_does_not_grow_with_its_rows(app, factory, count_queries, admin_client):
    from ret_app import audit

    def add(n: int) -> list[str]:
        users = [factory.user("analyst", activated=False) for _ in range(n)]
        with app.app_context():
            for user in users:
                audit.record(audit.Action.EXPORT, object_type="probe", object_id=f"probe-{user.id}",
                             user=db.session.get(User, user.id))
            db.session.commit()
            db.session.remove()
        return [f"probe-{users[-1].id}"]

    _same_count(admin_client, count_queries,
                ["/beheer/audit?object_type=probe", "/beheer/audit?object_type=probe&action=export&who=test"], add)


def _events_of_cases(app, factory, world, one: int, *, filtered: bool) -> Callable[[int], list[str]]:
    """n more cases, each with an event about itself and one (object: that case) about case `one`.
    The page shows the newest case's reference (unfiltered: the references of the whole page are
    read at once), or, filtered by `one`'s reference, that reference and the newest object."""
    from ret_app import audit
    from ret_app.models import Case

    def add(n: int) -> list[str]:
        cases = [factory.case(world.caseworker, world.municipality) for _ in range(n)]
        with app.app_context():
            chair = db.session.get(User, world.chair.id)
            for case_id in cases:
                audit.record(audit.Action.READ, object_type="probe_case", object_id=case_id, case_id=case_id,
                             detail="case_page", user=chair)
                audit.record(audit.Action.READ, object_type="probe_case", object_id=case_id, case_id=one,
                             detail="case_page", user=chair)
            newest = db.session.get(Case, cases[-1]).reference
            reference = db.session.get(Case, one).reference
            db.session.commit()
            db.session.remove()
        return [reference, f"probe_case {cases[-1]}"] if filtered else [newest]

    return add


@pytest.mark.counts_queries("admin.audit")
def test_the_audit_search_shows_case_references_without_growing(app, factory, make_world, count_queries,
                                                                 admin_client):
    world = make_world()
    one = factory.case(world.caseworker, world.municipality)
    _same_count(admin_client, count_queries, ["/beheer/audit?object_type=probe_case"],
                _events_of_cases(app, factory, world, one, filtered=False))


@pytest.mark.counts_queries("admin.audit")
def test_the_audit_search_by_case_reference_does_not_grow_with_its_rows(app, factory, make_world,
                                                                        count_queries, admin_client):
    from ret_app.models import Case

    world = make_world()
    one = factory.case(world.caseworker, world.municipality)
    with app.app_context():
        reference = db.session.get(Case, one).reference
    _same_count(admin_client, count_queries,
                [f"/beheer/audit?object_type=probe_case&case_reference={reference}",
                 f"/beheer/audit?case_reference={reference.lower()}"],
                _events_of_cases(app, factory, world, one, filtered=True))


def test_the_region_list_counts_the_municipalities(factory, admin_client):
    region = factory.region(name="Regio Telling")
    for _ in range(3):
        factory.municipality(region.id)
    body = admin_client.get("/beheer/regios").get_data(as_text=True)
    row = body.split("Regio Telling", 1)[1].split("</tr>", 1)[0]
    assert '<td class="utrecht-table__cell">3</td>' in row


# --- a holder's own mandates -------------------------------------------------------------------

# --- the start page of every role ----------------------------------------------------------------

class World(worlds.World):
    """The World (tests/worlds.py) with its region in a network, and what the start page's cards show."""

    def __init__(self, app, factory):
        super().__init__(factory, network=True)
        self.app = app
        self.covering_mandate = False

    def user(self, role: str) -> User:
        return {"chair": self.chair, "ret_member": self.member, "caseworker": self.caseworker,
                "provider_member": self.provider_member, "network_liaison": self.network_liaison,
                "analyst": self.analyst, "admin": self.admin}[role]

    # What the cards show, n more of each.

    def municipalities(self, n: int) -> list[str]:
        return [self.factory.municipality(self.region.id).name for _ in range(n)][-1:]

    def collective(self, n: int) -> list[str]:
        return [self.factory.organisation("provider", region_id=self.region.id, collective_member=True).name
                for _ in range(n)][-1:]

    def expiring_region_mandates(self, n: int) -> list[str]:
        """Mandates of the region's municipalities that expire soon, each with a holder of its own."""
        today = dates.today()
        holders = []
        for _ in range(n):
            municipality = self.factory.municipality(self.region.id)
            team = self.factory.organisation("access_team", region_id=self.region.id,
                                             municipality_id=municipality.id)
            holder = self.factory.user("caseworker", team.id, activated=False)
            self.factory.mandate(holder.id, municipality.id, valid_from=today - timedelta(days=10),
                                 valid_until=today + timedelta(days=10))
            holders.append(holder.name)
        return holders[-1:]

    def own_mandates(self, user: User, n: int) -> list[str]:
        """The user's own mandates, each of its own municipality, half of them expiring soon."""
        today = dates.today()
        names = []
        for i in range(n):
            municipality = self.factory.municipality(self.region.id)
            self.factory.mandate(user.id, municipality.id, valid_from=today - timedelta(days=10),
                                 valid_until=today + timedelta(days=10 if i % 2 else 200))
            names.append(municipality.name)
        return names[-1:]

    def sessions(self, user: User, n: int) -> list[str]:
        """Upcoming RET sessions of the region, the user invited to each."""
        invite = () if user.id == self.chair.id else (user,)
        start = dates.utcnow() + timedelta(days=1)
        for i in range(n):
            self.factory.meeting(self.chair, starts_at=start + timedelta(hours=i), invite=invite)
        return []

    def network_regions(self, n: int) -> list[str]:
        return [self.factory.region(network_id=self.network.id).name for _ in range(n)][-1:]

    def provisional_decisions(self, holder: User, n: int) -> list[str]:
        """Provisional decisions of the access team's municipality that the holder's mandate covers."""
        from ret_app.models import Decision, MeetingItem

        caseworker = self.factory.user("caseworker", self.team.id, activated=False)
        cases = [self.factory.case(caseworker, self.municipality, status="screening") for _ in range(n)]
        meeting_id = self.factory.meeting(self.chair, cases=tuple(cases), status="closed")
        with self.app.app_context():
            for item in db.session.scalars(select(MeetingItem).where(MeetingItem.meeting_id == meeting_id)):
                db.session.add(Decision(
                    item_id=item.id, case_id=item.case_id, municipality_id=self.municipality.id,
                    kind="commits_help", text="Ambulante hulp", care_type="ambulatory", amount_eur=Decimal("1000"),
                    status="provisional", submission_key=f"qc-{item.id}", recorded_by_id=self.chair.id))
            db.session.commit()
            db.session.remove()
        return []

    def overdue_intakes(self, n: int) -> list[str]:
        """Referrals waiting for the chair's intake decision, all past the norm: the intake card
        counts them ("100 over tijd"), each in a municipality of its own."""
        for _ in range(n):
            municipality = self.factory.municipality(self.region.id)
            self.factory.case(self.caseworker, municipality, status="submitted",
                              submitted_at=datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc))
        self.overdue_count = getattr(self, "overdue_count", 0) + n
        return [f'id="start-intake-overdue">{self.overdue_count} over tijd<']

    def overdue_screenings(self, n: int) -> list[str]:
        """Cases past the screening norm, each of its own municipality and process director: the chair's
        "cases past a norm" card counts them next to the overdue intakes."""
        long_ago = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)
        for _ in range(n):
            municipality = self.factory.municipality(self.region.id)
            director = self.factory.user("ret_member", self.ret.id, activated=False)
            self.factory.case(self.caseworker, municipality, status="screening", submitted_at=long_ago,
                              intake_at=long_ago, process_director_id=director.id, track="process_direction")
        self.overdue_screening_count = getattr(self, "overdue_screening_count", 0) + n
        with self.app.app_context():
            kind = db.session.scalar(select(Case.next_due_kind).where(Case.status == "screening").limit(1))
        return [f'id="start-overdue-{kind}">{self.overdue_screening_count} over tijd<']

    def stale_capacity(self, n: int) -> list[str]:
        """Collective providers whose care type was never filled in: the chair's capacity card counts them."""
        from ret_app.models import ProviderCareType, ProviderProfile

        with self.app.app_context():
            for _ in range(n):
                org = self.factory.organisation("provider", region_id=self.region.id, collective_member=True)
                db.session.add(ProviderProfile(organisation_id=org.id, summary="Over ons",
                                               care_types=[ProviderCareType(care_type="ambulatory")]))
            db.session.commit()
            db.session.remove()
        self.stale_count = getattr(self, "stale_count", 0) + n
        return [f'id="start-stale-count">{self.stale_count} zorgsoorten met verouderde capaciteit<']

    def my_cases(self, user: User, n: int) -> list[str]:
        """The user's own cases (directed by a RET member; referred by a caseworker, each with a
        process director of its own), each new one due earlier than the last: it heads the card."""
        first = None
        for _ in range(n):
            self.my_case_count = count = getattr(self, "my_case_count", 0) + 1
            municipality = self.factory.municipality(self.region.id)
            moment = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc) - timedelta(days=count)
            if user.role == "caseworker":
                director = self.factory.user("ret_member", self.ret.id, activated=False)
                first = self.factory.case(user, municipality, status="screening", submitted_at=moment,
                                          intake_at=moment, process_director_id=director.id,
                                          track="process_direction")
            else:
                first = self.factory.case(self.caseworker, municipality, status="screening", submitted_at=moment,
                                          intake_at=moment, process_director_id=user.id, track="process_direction")
        shown = [f'<li><a class="utrecht-link" href="/casussen/{first}">']
        if self.my_case_count > 10:
            shown.append(f"10 van {self.my_case_count} getoond.")
        return shown

    def management(self, n: int) -> list[str]:
        """What the management card counts: regions, municipalities, organisations, users, mandates."""
        for _ in range(n):
            region = self.factory.region()
            municipality = self.factory.municipality(region.id)
            team = self.factory.organisation("access_team", region_id=region.id, municipality_id=municipality.id)
            holder = self.factory.user("caseworker", team.id, activated=False)
            self.factory.mandate(holder.id, municipality.id)
        return []


def _start_things(world: World, role: str, user: User) -> Callable[[int], list[str]]:
    def add(n: int) -> list[str]:
        shown: list[str] = []
        if role in ("chair", "ret_member", "caseworker", "provider_member"):
            shown += world.municipalities(n)
            shown += world.sessions(user, n)
        if role in ("chair", "ret_member", "provider_member"):
            shown += world.collective(n)
        if role == "chair":
            shown += world.expiring_region_mandates(n)
            shown += world.overdue_intakes(n)
            shown += world.overdue_screenings(n)
            shown += world.stale_capacity(n)
        if role in ("ret_member", "caseworker"):
            shown += world.my_cases(user, n)
        if role == "caseworker":
            if not world.covering_mandate:
                # One mandate of the access team's municipality covers the provisional decisions.
                world.factory.mandate(user.id, world.municipality.id, ceiling="50000")
                world.covering_mandate = True
            shown += world.own_mandates(user, n)
        if role in ("caseworker", "admin"):
            shown += world.provisional_decisions(user, n)
        if role == "network_liaison":
            shown += world.network_regions(n)
        if role == "admin":
            shown += world.management(n)
        return shown

    return add


@pytest.mark.counts_queries("main.start")
@pytest.mark.parametrize("role", ["chair", "ret_member", "caseworker", "provider_member", "network_liaison",
                                  "analyst", "admin"])
def test_the_start_page_does_not_grow_with_what_its_cards_show(app, factory, count_queries, role):
    world = World(app, factory)
    user = world.user(role)
    client = app.test_client()
    login(client, app, user)
    _same_count(client, count_queries, ["/start"], _start_things(world, role, user))
