"""The demo's gap signals: the nightly rule run over the demo's history of closed cases (ret_app/demo.py
runs it after ret_app/demo_history.py) raises the signals; here the chair of Midden-IJssel/Oost-Veluwe has
taken the one with the most cases up with purchasing, so the list shows a signal in progress beside the
new ones."""

from __future__ import annotations

from sqlalchemy import select

from ret_app.extensions import db
from ret_app.models import GapSignal, SignalStatus, User

CHAIR = "voorzitter@mijov.example"


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
