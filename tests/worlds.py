"""The region most tests play in, built by one builder (the `world` fixture of conftest.py).

A `World` is a youth-care region with two municipalities (each with its access team), its RET, two
providers of its HSWV collective and one provider outside it, and people of every role; plus a
second region (`elsewhere`) with its own municipality, access team, RET and collective provider.
Everything is written in one go into the test's transaction and handed back detached, like the
Factory's objects. Tests that look for a name on a page give it (`names={"chair": "Voorzitter Vos"}`;
the second region's with the prefix `elsewhere_`);
`aliases` lets a module keep its own words for the same things (`{"mun": "municipality"}`).
Both `world.chair` and `world["chair"]` work.

Options for tests that need a little more or less of the region:
- `network=True` puts the region in a supra-regional network (`world.network`; None without it) and
  the network liaison's organisation in that network (without it, their organisation has no network).
- `without={"director"}` leaves those people out (attributes of PEOPLE, or `elsewhere_...` for the
  second region's): for tests that count people of the region, e.g. a session invites every chair and
  RET member of its region, so a test that checks the invitee list exactly needs the RET it expects.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Iterable, Optional

from ret_app.caretypes.services import default_catalogue
from ret_app.extensions import db
from ret_app.models import Municipality, Network, Organisation, Region
from ret_app.outcomes.taxonomy import default_taxonomy

ORGANISATIONS = {
    # attribute: (kind, collective member, in the second region, municipality attribute)
    "team": ("access_team", False, False, "municipality"),
    "other_team": ("access_team", False, False, "other_municipality"),
    "ret": ("ret", False, False, None),
    "provider": ("provider", True, False, None),
    "other_provider": ("provider", True, False, None),
    "outsider": ("provider", False, False, None),
}

PEOPLE = {
    # attribute: (role, organisation attribute; None: an organisation of the role's own kind)
    "chair": ("chair", "ret"),
    "director": ("ret_member", "ret"),  # directs the processes of the tests' cases
    "member": ("ret_member", "ret"),
    "caseworker": ("caseworker", "team"),
    "colleague": ("caseworker", "team"),  # the same access team
    "other_caseworker": ("caseworker", "other_team"),  # another access team of the region
    "provider_member": ("provider_member", "provider"),
    "other_provider_member": ("provider_member", "other_provider"),
    "outsider_member": ("provider_member", "outsider"),
    "network_liaison": ("network_liaison", None),
    "analyst": ("analyst", None),
    "privacy_officer": ("privacy_officer", "ret"),  # the privacy officer of the RET's organisation
    "admin": ("admin", None),
}

ELSEWHERE_PEOPLE = {"chair": ("chair", "ret"), "member": ("ret_member", "ret"),
                    "caseworker": ("caseworker", "team"), "provider_member": ("provider_member", "provider")}


class World:
    def __init__(self, factory, *, names: Optional[dict] = None, aliases: Optional[dict] = None,
                 network: bool = False, without: Iterable[str] = ()):
        names = names or {}
        self.factory = factory
        self._aliases = dict(aliases or {})
        self._without = set(without)
        unknown = self._without - set(PEOPLE) - {f"elsewhere_{attribute}" for attribute in ELSEWHERE_PEOPLE}
        if unknown:
            raise ValueError(f"no such people in a World: {sorted(unknown)}")
        with factory.app.app_context():
            self._build(names, network)
            db.session.commit()
            for obj in self._objects():
                db.session.refresh(obj)
                db.session.expunge(obj)
            db.session.remove()

    def _build(self, names: dict, network: bool) -> None:
        number = self.factory._next
        self.network = None
        if network:
            n = number()
            self.network = Network(name=f"Netwerk BOEG {n}", short_name=f"BOEG-{n}")
            db.session.add(self.network)
            db.session.flush()
        self.region = Region(name=names.get("region") or f"Regio {number()}",
                             network_id=self.network.id if network else None)
        elsewhere_region = Region(name=f"Regio {number()}")
        db.session.add_all([self.region, elsewhere_region])
        db.session.flush()
        # Every new region starts with the default care-type catalogue (caretypes).
        db.session.add_all(default_catalogue(self.region.id) + default_catalogue(elsewhere_region.id))
        # ... and the default gap taxonomy (outcomes).
        db.session.add_all(default_taxonomy(self.region.id) + default_taxonomy(elsewhere_region.id))
        self.municipality = self._municipality(names.get("municipality"), self.region)
        self.other_municipality = self._municipality(names.get("other_municipality"), self.region)
        for attribute, (kind, collective, _elsewhere, municipality) in ORGANISATIONS.items():
            setattr(self, attribute, self._organisation(names.get(attribute), kind, self.region, collective,
                                                        getattr(self, municipality) if municipality else None))
        for attribute, (role, organisation) in PEOPLE.items():
            if attribute in self._without:
                continue
            kind = self.factory.default_kind(role)
            org = getattr(self, organisation) if organisation else self._organisation(
                None, kind, None, False, None, network=self.network if kind == "network" else None)
            setattr(self, attribute, self._person(role, org, names.get(attribute)))
        there = SimpleNamespace(region=elsewhere_region)
        there.municipality = self._municipality(names.get("elsewhere_municipality"), elsewhere_region)
        there.team = self._organisation(names.get("elsewhere_team"), "access_team", elsewhere_region, False,
                                        there.municipality)
        there.ret = self._organisation(names.get("elsewhere_ret"), "ret", elsewhere_region, False, None)
        there.provider = self._organisation(names.get("elsewhere_provider"), "provider", elsewhere_region, True, None)
        for attribute, (role, organisation) in ELSEWHERE_PEOPLE.items():
            if f"elsewhere_{attribute}" in self._without:
                continue
            setattr(there, attribute, self._person(role, getattr(there, organisation),
                                                   names.get(f"elsewhere_{attribute}")))
        self.elsewhere = there

    def _municipality(self, name: Optional[str], region: Region) -> Municipality:
        n = self.factory._next()
        # Generated CBS codes are GM5000..GM9999; codes written out in tests stay below GM5000.
        municipality = Municipality(name=name or f"Gemeente {n}", cbs_code=f"GM{5000 + n % 5000:04d}", region=region)
        db.session.add(municipality)
        db.session.flush()
        return municipality

    def _organisation(self, name, kind, region, collective, municipality, network=None) -> Organisation:
        org = Organisation(name=name or f"Organisatie {kind} {self.factory._next()}", kind=kind,
                           region_id=region.id if region else None,
                           municipality_id=municipality.id if municipality else None, collective_member=collective,
                           network_id=network.id if network else None)
        db.session.add(org)
        db.session.flush()
        return org

    def _person(self, role: str, organisation: Organisation, name: Optional[str]):
        user = self.factory.new_user(role, organisation.id, name=name)
        db.session.add(user)
        db.session.flush()
        return user

    def _objects(self):
        if self.network is not None:
            yield self.network
        yield self.region
        yield self.municipality
        yield self.other_municipality
        for attribute in list(ORGANISATIONS) + [a for a in PEOPLE if a not in self._without]:
            yield getattr(self, attribute)
        for value in vars(self.elsewhere).values():
            yield value

    def __getitem__(self, key: str) -> Any:
        return getattr(self, self._aliases.get(key, key))

    def __getattr__(self, key: str) -> Any:
        aliases = self.__dict__.get("_aliases", {})
        if key in aliases:
            return getattr(self, aliases[key])
        raise AttributeError(key)

    def __contains__(self, key: str) -> bool:
        return hasattr(self, self._aliases.get(key, key))
