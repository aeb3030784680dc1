"""The demo region, and the README's promise that every listed demo account can sign in."""

import re
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import func, select

from ret_app import demo
from ret_app.extensions import db
from ret_app.models import Mandate, Municipality, Organisation, Region, User
from tests.conftest import csrf_token

README = Path(__file__).resolve().parent.parent / "README.md"
ACCOUNT_ROW = re.compile(r"^\| [^|]+ \| `([^`]+@[^`]+)` \| [^|]+ \| `([A-Z2-7]{32})` \|$", re.M)


def readme_accounts() -> list[tuple[str, str]]:
    return ACCOUNT_ROW.findall(README.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seeded(app, _module_transaction):
    """The demo, seeded once for the module: it lives in the module's transaction, and each test's changes
    (sign-ins, sessions, audit events) are rolled back after it."""
    with app.app_context():
        demo.seed()
        db.session.commit()


def test_readme_lists_every_demo_account_with_its_secret():
    listed = dict(readme_accounts())
    assert set(listed) == {email for email, *_ in demo.USERS}
    for email, secret in listed.items():
        assert secret == demo.demo_totp_secret(email), email
    assert f"**`{demo.DEMO_PASSWORD}`**" in README.read_text(encoding="utf-8")


def test_every_readme_account_signs_in(app, seeded):
    for email, secret in readme_accounts():
        client = app.test_client()
        token = csrf_token(client)
        r = client.post("/inloggen", data={"csrf_token": token, "email": email, "password": demo.DEMO_PASSWORD})
        assert r.headers.get("Location", "").endswith("/inloggen/verificatie"), email
        r = client.post("/inloggen/verificatie", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
        assert r.status_code == 302 and r.headers["Location"].endswith("/start"), email
        assert client.get("/start").status_code == 200


def test_demo_region_matches_the_seed_documents(app, seeded):
    with app.app_context():
        regions = {r.name: r for r in db.session.scalars(select(Region))}
        mijov = regions["Zorgregio Midden-IJssel/Oost-Veluwe"]
        assert sorted(m.name for m in mijov.municipalities) == [
            "Apeldoorn", "Brummen", "Epe", "Hattem", "Heerde", "Lochem", "Voorst", "Zutphen"]
        assert mijov.network.short_name == "BOEG"
        ijzk = regions["IJmond/Zuid-Kennemerland"]
        assert len(ijzk.municipalities) == 7 and ijzk.network.short_name == "BEN NH"
        # An access team per municipality, one RET per region, a collective of providers.
        teams = db.session.scalar(select(func.count()).select_from(Organisation).where(Organisation.kind == "access_team"))
        assert teams == db.session.scalar(select(func.count()).select_from(Municipality)) == 8 + 7 + 12
        for region in regions.values():
            rets = db.session.scalars(select(Organisation).where(Organisation.kind == "ret", Organisation.region_id == region.id)).all()
            assert len(rets) == 1
            assert db.session.scalars(select(Organisation).where(
                Organisation.region_id == region.id, Organisation.collective_member.is_(True))).first()
        roles = set(db.session.scalars(select(User.role)))
        assert roles == {"chair", "ret_member", "caseworker", "provider_member", "network_liaison", "analyst",
                         "privacy_officer", "admin"}


def test_demo_mandates_include_an_expired_and_a_low_ceiling_one(app, seeded):
    from datetime import date
    from decimal import Decimal

    with app.app_context():
        mandates = db.session.scalars(select(Mandate)).all()
        today = date.today()
        assert any(m.status_on(today) == "expired" for m in mandates)
        assert any(m.status_on(today) == "valid" and m.ceiling_eur <= Decimal("10000") for m in mandates)


def test_seed_demo_refuses_a_database_with_data(app, seeded):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and "skipped" in result.output


def test_demo_totp_prints_a_valid_code(app, seeded):
    result = app.test_cli_runner().invoke(args=["demo-totp", "voorzitter@mijov.example"])
    assert result.exit_code == 0
    assert pyotp.TOTP(demo.demo_totp_secret("voorzitter@mijov.example")).verify(result.output.strip(), valid_window=1)


def test_demo_cases_cover_the_lifecycle_and_open_for_the_right_people(app, seeded):
    from datetime import date

    from sqlalchemy.orm import joinedload, selectinload

    from ret_app import policy
    from ret_app.cases import consent as consent_rules
    from ret_app.models import Case

    with app.app_context():
        cases = db.session.scalars(select(Case).options(
            selectinload(Case.consents), selectinload(Case.family_members), selectinload(Case.legal_grounds),
            joinedload(Case.region))).all()
        assert {c.status for c in cases} >= {"concept", "submitted", "screening", "process_direction",
                                             "returned_with_advice", "paused"}
        chair_user = db.session.scalar(select(User).where(User.email == "voorzitter@mijov.example"))
        visible = set(db.session.scalars(select(Case.id).where(policy.visible_cases_clause(chair_user))))
        for case in cases:
            flags = (case.consent_ret, case.consent_collective, case.consent_network)
            consent_rules.refresh_flags(case, date.today())
            assert flags == (case.consent_ret, case.consent_collective, case.consent_network), case.reference
            assert not case.youth_bsn  # no BSN in demo data, not even a valid-looking one
            expected = case.region.name.startswith("Zorgregio") and case.status != "concept"
            assert policy.can_view_case(chair_user, case) is expected and (case.id in visible) is expected
        # Over HTTP: every case that is not closed, and every tenth closed one of the generated history (its
        # few hundred closed cases are alike; the rule and its SQL twin above answer for each of them).
        closed = sorted(c.id for c in cases if c.status == "closed")
        ids = {c.reference: (c.id, c.status, c.region.name) for c in cases
               if c.status != "closed" or closed.index(c.id) % 10 == 0}
        assert sum(1 for _id, status, _r in ids.values() if status == "closed") >= 30
    chair = app.test_client()

    def sign_in(client, email):
        token = csrf_token(client)
        client.post("/inloggen", data={"csrf_token": token, "email": email, "password": demo.DEMO_PASSWORD})
        r = client.post("/inloggen/verificatie", data={"csrf_token": token,
                                                       "code": pyotp.TOTP(demo.demo_totp_secret(email)).now()})
        assert r.status_code == 302

    sign_in(chair, "voorzitter@mijov.example")
    for reference, (case_id, status, region) in ids.items():
        expected = 200 if region.startswith("Zorgregio") and status != "concept" else 404
        assert chair.get(f"/casussen/{case_id}").status_code == expected, reference
    assert "Daan" in chair.get("/intake").get_data(as_text=True)


def test_demo_has_a_planned_session_and_a_finished_one_with_minutes(app, seeded):
    from ret_app.models import Decision, Meeting, MeetingInvitation, User

    with app.app_context():
        mijov = db.session.scalar(select(Region.id).where(Region.name == demo.MIJOV))
        meetings = {m.status: m for m in db.session.scalars(select(Meeting).where(Meeting.region_id == mijov))}
        assert set(meetings) == {"planned", "approved"}
        finished, planned = meetings["approved"], meetings["planned"]
        assert finished.approved_at and len(finished.items) == 2 and finished.addenda
        assert set(finished.approved_state["decisions"].values()) == {"binding", "provisional"}
        assert {d.status for d in db.session.scalars(select(Decision))} == {"binding", "provisional"}
        assert any(d.placement_outcome == "prevented" for d in db.session.scalars(select(Decision)))
        provider = db.session.scalar(select(User).where(User.email == "aanbieder@mijov.example"))
        invited = set(db.session.scalars(select(MeetingInvitation.user_id)
                                         .where(MeetingInvitation.meeting_id == planned.id)))
        assert provider.id in invited  # De Bolder works on a case on the agenda
        ids = finished.id, planned.id
        extract_case = finished.items[1].case_id
    chair = app.test_client()
    token = csrf_token(chair)
    email = "voorzitter@mijov.example"
    chair.post("/inloggen", data={"csrf_token": token, "email": email, "password": demo.DEMO_PASSWORD})
    chair.post("/inloggen/verificatie", data={"csrf_token": token,
                                              "code": pyotp.TOTP(demo.demo_totp_secret(email)).now()})
    pdf = chair.get(f"/overleggen/{ids[0]}/notulen.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert chair.get(f"/overleggen/{ids[0]}/notulen/zaak/{extract_case}.pdf").status_code == 200
    assert chair.get(f"/overleggen/{ids[1]}").status_code == 200


def test_demo_cases_carry_the_help_tried_before(app, seeded):
    """Most demo cases (all but the concept being written) carry earlier help with provider, kind,
    period and, when it ended, why; the chair sees it on the intake page and finds the case by a
    parent's name."""
    from datetime import date

    from markupsafe import escape

    from ret_app.models import Case

    today = date.today()
    with app.app_context():
        cases = db.session.scalars(select(Case)).all()
        with_help = {c.reference: c for c in cases if c.prior_help}
        assert len(with_help) >= len(cases) - 1 and len(cases) >= 6
        assert all(c.status == "concept" for c in cases if c.reference not in with_help)
        for case in with_help.values():
            for h in case.prior_help:
                assert h.provider and h.help_type and h.from_date, case.reference
                assert h.from_date <= (h.to_date or today) <= today, case.reference
                assert (h.to_date is None) == (h.end_reason is None), case.reference  # ended help says why
        assert any(h.to_date is None for c in with_help.values() for h in c.prior_help)  # and some still runs
        # Daan's waiting referral (not his earlier closed case: the rows come in no particular order).
        waiting = next(c for c in cases if c.youth_first_name == "Daan" and c.status == "submitted")
        waiting_id, help_texts = waiting.id, [h.end_reason for h in waiting.prior_help]
    chair = app.test_client()
    token = csrf_token(chair)
    email = "voorzitter@mijov.example"
    chair.post("/inloggen", data={"csrf_token": token, "email": email, "password": demo.DEMO_PASSWORD})
    chair.post("/inloggen/verificatie", data={"csrf_token": token,
                                              "code": pyotp.TOTP(demo.demo_totp_secret(email)).now()})
    intake = chair.get(f"/casussen/{waiting_id}/intake").get_data(as_text=True)
    for text in help_texts:
        assert str(escape(text)) in intake
    found = chair.post("/casussen", data={"csrf_token": csrf_token(chair, "/casussen"), "q": "Petra"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Daan Kuipers" in found and "Yusuf" not in found


def test_demo_collective_has_profiles_and_fresh_stale_and_unfilled_capacity(app, seeded):
    from ret_app.collective import capacity, freshness
    from ret_app.models import CapacityEntry, ProviderCareType, ProviderProfile

    with app.app_context():
        members = db.session.scalars(select(Organisation).where(Organisation.collective_member.is_(True))).all()
        profiles = {p.organisation_id: p for p in db.session.scalars(select(ProviderProfile))}
        assert {o.id for o in members} == set(profiles)  # every collective provider has a profile
        assert all(p.expertise and p.care_types and p.contacts for p in profiles.values())
        assert any(p.crisis_available and p.crisis_phone for p in profiles.values())
        mijov = db.session.scalar(select(Region).where(Region.name == demo.MIJOV))
        rule = freshness.rule_for(mijov.id)
        entries = db.session.scalars(select(CapacityEntry).join(Organisation, Organisation.id == CapacityEntry.organisation_id)
                                     .where(Organisation.region_id == mijov.id)).all()
        states = {rule.state(e.updated_at) for e in entries}
        assert states == {freshness.FRESH, freshness.STALE}
        assert all(e.history and e.updated_by_id for e in entries)
        assert any(len(e.history) > 1 for e in entries)
        offered = db.session.scalar(select(func.count(ProviderCareType.id)).join(
            Organisation, Organisation.id == ProviderCareType.organisation_id).where(Organisation.region_id == mijov.id))
        assert offered > len(entries)  # some care types were never filled in
        assert capacity.stale_count(mijov.id) == offered - sum(1 for e in entries if not rule.is_stale(e.updated_at))


def test_demo_regions_have_their_care_type_catalogue_with_one_type_retired_that_old_records_use(app, seeded):
    from ret_app.caretypes import services as caretypes
    from ret_app.caretypes.defaults import DEFAULT_CARE_TYPES
    from ret_app.models import Decision

    with app.app_context():
        regions = {r.name: r.id for r in db.session.scalars(select(Region))}
        mijov, ijzk = regions[demo.MIJOV], regions[demo.IJZK]
        for region_id in (mijov, ijzk):
            names = caretypes.names(region_id)
            assert {"Verblijf behandelgroep", "Verblijf 3-milieu", "JeugdzorgPlus", "Respijtopvang jeugd",
                    "Intensieve ambulante gezinsbehandeling"} <= set(names.values())
            assert len(names) == len(DEFAULT_CARE_TYPES)
        # Midden-IJssel/Oost-Veluwe no longer offers the general residential type; IJmond still does.
        assert "residential" not in dict(caretypes.choices(mijov))
        assert "residential" in dict(caretypes.choices(ijzk))
        users = [m for m in db.session.scalars(select(Mandate).join(Mandate.municipality)
                                                .where(Municipality.region_id == mijov))
                 if "residential" in m.care_types]
        assert users, "an old demo record still uses the retired type"
        assert caretypes.names(mijov)["residential"] == "Residentiële jeugdhulp"
        # Every demo record's care types are in its region's catalogue.
        for mandate in db.session.scalars(select(Mandate)):
            names = caretypes.names(mandate.municipality.region_id)
            assert set(mandate.care_types) <= set(names), mandate.care_types
        for decision in db.session.scalars(select(Decision).where(Decision.care_type.is_not(None))):
            caretypes.validate(decision.case.region_id, decision.care_type)


def test_the_demo_escalates_to_both_networks_in_several_states_one_overdue(app, seeded):
    from ret_app.escalations import services as escalation_services
    from ret_app.models import Escalation

    with app.app_context():
        rows = list(db.session.scalars(select(Escalation)))
        by_network = {}
        for e in rows:
            by_network.setdefault(e.network.short_name, set()).add(e.status)
        assert by_network["BOEG"] >= {"draft", "in_progress", "closed", "declined"}
        assert "sent" in by_network["BEN NH"]
        overdue = [e for e in rows if escalation_services.is_overdue(e)]
        assert len(overdue) == 1 and overdue[0].case.youth_first_name == "Finn"
        assert all(e.case.consent_network for e in rows if e.status != "draft")



def test_the_demo_escalations_exchange_is_in_the_liaisons_and_the_chairs_notifications(app, seeded):
    """The demo writes its escalations without their events; their exchange still reaches the lists:
    each network's liaison hears of what was sent to it and of the RET's reply, the chairs of the
    network's answers and of the escalation past its expected date, each linking to its page."""
    from ret_app.models import Escalation, Notification
    from ret_app.notifications import escalations as notices

    with app.app_context():
        def kinds_of(email):
            user = db.session.scalar(select(User).where(User.email == email))
            return {(n.kind, n.link) for n in db.session.scalars(select(Notification).where(Notification.user_id == user.id))}

        for email in ("boeg@mijov.example", "bennh@ijzk.example", "jenn@drenthe.example"):
            got = kinds_of(email)
            assert any(kind == notices.ESCALATION_TO_NETWORK and link.startswith("/netwerk/opschalingen/")
                       for kind, link in got), email
        finn = db.session.scalar(select(Escalation).join(Escalation.case).where(
            Escalation.status == "in_progress", Escalation.case.has(youth_first_name="Finn")))
        chair = db.session.scalar(select(User).where(User.email == "voorzitter@mijov.example"))
        got = kinds_of(chair.email)
        assert (notices.ESCALATION_OVERDUE, f"/escalaties/{finn.id}") in got
        assert (notices.ESCALATION_NETWORK_ACTED, f"/escalaties/{finn.id}") in got
        assert (notices.ESCALATION_RET_ACTED, f"/netwerk/opschalingen/{finn.id}") in kinds_of("boeg@mijov.example")
        # Nothing went out by mail while seeding.
        assert db.session.scalar(select(func.count(Notification.id)).where(
            Notification.kind.like("escalation%"), Notification.mailed_at.is_(None))) == 0

DRENTHE_MUNICIPALITIES = {
    "Aa en Hunze": "GM1680", "Assen": "GM0106", "Borger-Odoorn": "GM1681", "Coevorden": "GM0109",
    "De Wolden": "GM1690", "Emmen": "GM0114", "Hoogeveen": "GM0118", "Meppel": "GM0119",
    "Midden-Drenthe": "GM1731", "Noordenveld": "GM1699", "Tynaarlo": "GM1730", "Westerveld": "GM1701",
}


def test_drenthe_has_its_twelve_municipalities_with_their_cbs_codes_an_access_team_each_and_dext(app, seeded):
    """Seed 002: Drenthe's 12 municipalities (the CBS codes as the issue lists them), network JENN,
    the Drentse Experttafel as the region's RET, an access team per municipality, a collective with
    profiles and capacity, and the region's care-type catalogue as the other regions have it."""
    from ret_app.caretypes import services as caretypes
    from ret_app.caretypes.defaults import DEFAULT_CARE_TYPES
    from ret_app.models import CapacityEntry, ProviderProfile

    with app.app_context():
        drenthe = db.session.scalar(select(Region).where(Region.name == demo.DRENTHE))
        assert {m.name: m.cbs_code for m in drenthe.municipalities} == DRENTHE_MUNICIPALITIES
        assert drenthe.network.short_name == "JENN"
        assert drenthe.network.name == "Jeugd Expertise Netwerk Noord-Nederland"
        teams = {o.municipality.name for o in db.session.scalars(select(Organisation).where(
            Organisation.kind == "access_team", Organisation.region_id == drenthe.id))}
        assert teams == set(DRENTHE_MUNICIPALITIES)
        rets = db.session.scalars(select(Organisation).where(Organisation.kind == "ret",
                                                             Organisation.region_id == drenthe.id)).all()
        assert [o.name for o in rets] == ["Drentse Experttafel (DExT)"]
        providers = db.session.scalars(select(Organisation).where(
            Organisation.region_id == drenthe.id, Organisation.collective_member.is_(True))).all()
        assert len(providers) >= 2 and all(o.name.endswith("(demo)") for o in providers)
        ids = [o.id for o in providers]
        assert db.session.scalar(select(func.count()).select_from(ProviderProfile).where(ProviderProfile.organisation_id.in_(ids))) \
            == len(providers)
        with_capacity = set(db.session.scalars(select(CapacityEntry.organisation_id).where(
            CapacityEntry.organisation_id.in_(ids))))
        assert with_capacity == set(ids)
        names = caretypes.names(drenthe.id)
        assert len(names) == len(DEFAULT_CARE_TYPES) and "residential" in dict(caretypes.choices(drenthe.id))


def test_drenthe_accounts_and_roles_and_every_network_has_a_liaison(app, seeded):
    from datetime import date

    with app.app_context():
        drenthe = db.session.scalar(select(Region).where(Region.name == demo.DRENTHE))
        accounts = {u.email: u for u in db.session.scalars(select(User).where(User.email.like("%@drenthe.example")))}
        roles = {u.role for u in accounts.values()}
        assert {"chair", "ret_member", "caseworker", "provider_member", "network_liaison"} <= roles
        chair = accounts["voorzitter@drenthe.example"]
        assert chair.role == "chair" and chair.organisation.kind == "ret" and chair.organisation.region_id == drenthe.id
        caseworker = accounts["toegang.assen@drenthe.example"]
        assert caseworker.role == "caseworker" and caseworker.organisation.municipality.name == "Assen"
        mandates = db.session.scalars(select(Mandate).where(Mandate.holder_id == caseworker.id)).all()
        assert [m.municipality.name for m in mandates] == ["Assen"] and mandates[0].status_on(date.today()) == "valid"
        liaison = accounts["jenn@drenthe.example"]
        assert liaison.role == "network_liaison" and liaison.organisation.kind == "network"
        assert liaison.organisation.network_id == drenthe.network_id
        # Each of the three networks has a liaison of its own.
        liaisons = db.session.scalars(select(User).where(User.role == "network_liaison")).all()
        assert {u.organisation.network.short_name for u in liaisons} == {"BOEG", "BEN NH", "JENN"}
        assert all(u.organisation.kind == "network" for u in liaisons)
        # No demo account shares its TOTP secret with another.
        assert len({demo.demo_totp_secret(email) for email, *_ in demo.USERS}) == len(demo.USERS)


def test_drenthe_cases_are_in_several_stages_and_its_jenn_escalations_in_states_the_others_do_not_show(app, seeded):
    from ret_app.models import Case, Escalation

    with app.app_context():
        drenthe = db.session.scalar(select(Region).where(Region.name == demo.DRENTHE))
        cases = db.session.scalars(select(Case).where(Case.region_id == drenthe.id)).all()
        assert {c.status for c in cases} >= {"submitted", "screening", "process_direction"}
        assert all(c.prior_help for c in cases)
        by_network: dict[str, set] = {}
        stories: dict[str, set] = {}  # the escalations of the cases that are still open (not the closed history)
        for e in db.session.scalars(select(Escalation)):
            by_network.setdefault(e.network.short_name, set()).add(e.status)
            if e.case.status != "closed":
                stories.setdefault(e.network.short_name, set()).add(e.status)
            assert e.case.region.network_id == e.network_id  # each region escalates to its own network
        jenn = stories["JENN"]
        assert {"accepted", "answered", "withdrawn"} <= jenn
        assert not jenn & (stories["BOEG"] | stories["BEN NH"])  # states the other networks' stories do not show
        # Together the three networks show every state of the escalation.
        assert set().union(*by_network.values()) == {"draft", "sent", "accepted", "declined", "in_progress",
                                                       "answered", "closed", "withdrawn"}


def test_the_jenn_escalations_are_visible_to_the_jenn_liaison_and_not_to_the_boeg_liaison(app, seeded):
    from ret_app import policy
    from ret_app.models import Escalation

    with app.app_context():
        users = {u.email: u for u in db.session.scalars(select(User).where(User.role == "network_liaison"))}
        jenn, boeg, bennh = (users[e] for e in ("jenn@drenthe.example", "boeg@mijov.example", "bennh@ijzk.example"))
        rows = db.session.scalars(select(Escalation)).all()
        jenn_rows = {e.id for e in rows if e.network.short_name == "JENN"}
        for liaison in (jenn, boeg, bennh):
            through_sql = set(db.session.scalars(select(Escalation.id).where(
                policy.visible_escalations_clause(liaison))))
            through_rule = {e.id for e in rows if policy.can_view_escalation(liaison, e)}
            assert through_sql == through_rule, liaison.email
            if liaison is jenn:
                assert through_sql == jenn_rows and len(jenn_rows) >= 3
            else:
                assert not through_sql & jenn_rows, liaison.email
        # The JENN liaison acts on the open ones (accepted, answered) and on nothing of the others.
        open_ones = {e.id for e in rows if e.network.short_name == "JENN" and e.status in ("accepted", "answered")}
        assert len(open_ones) == 2
        assert {e.id for e in rows if policy.can_act_for_network(jenn, e)} == jenn_rows
        assert not any(policy.can_act_for_network(boeg, e) for e in rows if e.id in jenn_rows)
        # The Drenthe chair sees the escalations of Drenthe's cases, not the other regions'.
        chair = db.session.scalar(select(User).where(User.email == "voorzitter@drenthe.example"))
        assert {e.id for e in rows if policy.can_view_escalation(chair, e)} == jenn_rows


def test_the_drenthe_chair_opens_the_jenn_escalations_and_the_other_regions_chair_and_liaisons_do_not(app, seeded):
    from ret_app.models import Escalation, Network

    with app.app_context():
        ids = list(db.session.scalars(select(Escalation.id).join(Network, Network.id == Escalation.network_id)
                                      .where(Network.short_name == "JENN").order_by(Escalation.id)))
    assert len(ids) >= 3

    def signed_in(email):
        client = app.test_client()
        token = csrf_token(client)
        client.post("/inloggen", data={"csrf_token": token, "email": email, "password": demo.DEMO_PASSWORD})
        r = client.post("/inloggen/verificatie", data={"csrf_token": token,
                                                       "code": pyotp.TOTP(demo.demo_totp_secret(email)).now()})
        assert r.status_code == 302, email
        return client

    chair = signed_in("voorzitter@drenthe.example")
    for escalation_id in ids:
        page = chair.get(f"/escalaties/{escalation_id}")
        assert page.status_code == 200 and "JENN" in page.get_data(as_text=True)
    for email in ("voorzitter@mijov.example", "boeg@mijov.example"):
        other = signed_in(email)
        assert all(other.get(f"/escalaties/{escalation_id}").status_code in (403, 404) for escalation_id in ids), email
