"""The demo's gap signals. `history` replays the nightly rule over the demo's history of closed cases
(ret_app/demo.py runs it after ret_app/demo_history.py), night by night at each month's end, with each
region's chair taking the signals up, marking them addressed and closing them as months go by, so the
signal list and the analyst's signals per period show a past; then the rule for today raises what is new.
`seed` then has the chair of Midden-IJssel/Oost-Veluwe take today's largest new signal up with purchasing,
so the list shows a signal just taken up beside the new ones."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from ret_app.extensions import db
from ret_app.models import GapSignal, Organisation, Role, SignalStatus, User
from ret_app.stats.periods import add_months

CHAIR = "voorzitter@mijov.example"
HISTORY_MONTHS = 24
RECENT_DAYS = 90  # the chairs have not yet responded to what was raised in these last days

# How a chair's signal moves on in the demo: (status it is in, days after it was raised, response).
STEPS = (
    (SignalStatus.NEW, 18, {"step": "take_up", "text": "Besproken in het RET-overleg en ingebracht bij de gemeenten."}),
    (SignalStatus.IN_PROGRESS, 110, {"step": "address", "text": "Afspraken gemaakt met de aanbieders in de "
                                                                  "regio; het aanbod wordt per kwartaal gevolgd."}),
    (SignalStatus.ADDRESSED, 200, {"step": "close", "text": "Na twee kwartalen geen nieuwe casussen met dit hiaat."}),
)


def history(today: date) -> int:
    """The rule at each month's end of the last HISTORY_MONTHS months, the chairs' responses in between
    (dated when they would have been given), then the rule for today. Returns the number of signals."""
    from ret_app.signals import rule

    chairs = dict(db.session.execute(
        select(Organisation.region_id, User).join(Organisation, Organisation.id == User.organisation_id)
        .where(User.role == Role.CHAIR.value, User.deactivated_at.is_(None)).order_by(User.id)).all())
    first = date(today.year, today.month, 1)
    for back in range(HISTORY_MONTHS, 0, -1):
        month_end = add_months(first, -back + 1) - timedelta(days=1)
        rule.run_nightly(month_end)
        _move_on(chairs, min(month_end, today - timedelta(days=RECENT_DAYS)))
    rule.run_nightly(today)
    return len(db.session.scalars(select(GapSignal.id)).all())


def _move_on(chairs: dict, day: date) -> None:
    """Each open signal of the demo takes the chair's next step once enough days have passed since it was
    raised, up to `day`; every fourth one stays in progress (the purchasing round takes long)."""
    from ret_app.signals import services

    night = datetime.combine(day, time(20), tzinfo=timezone.utc)
    for signal in db.session.scalars(select(GapSignal).where(GapSignal.status != SignalStatus.CLOSED.value)
                                     .order_by(GapSignal.id)):
        chair = chairs.get(signal.region_id)
        for status, after, data in STEPS:
            moment = signal.raised_at + timedelta(days=after + signal.id % 9)
            if signal.status != status.value or moment > night:
                continue
            if status is SignalStatus.IN_PROGRESS and signal.id % 4 == 3:
                break
            owner = "policy" if signal.id % 3 == 0 else "purchasing"
            response = services.respond(signal, chair, {**data, "owner": owner if status is SignalStatus.NEW else ""})
            response.at = signal.status_changed_at = moment
    db.session.flush()


def seed() -> int:
    """Called by ret_app/demo.py after the signals are raised. Returns how many signals were taken up."""
    from ret_app.signals import services

    chair = db.session.scalar(select(User).where(User.email == CHAIR))
    if chair is None:
        return 0
    signal = db.session.scalar(
        select(GapSignal).where(GapSignal.region_id == chair.organisation.region_id,
                                GapSignal.status == SignalStatus.NEW.value, GapSignal.care_type.is_(None))
        .order_by(GapSignal.case_count.desc(), GapSignal.id))
    if signal is None:
        return 0
    services.respond(signal, chair, {"owner": "purchasing", "step": "take_up",
                                      "text": "Ingebracht bij het regionale inkoopoverleg: verkennen of er extra "
                                              "plekken kunnen worden ingekocht."})
    return 1
