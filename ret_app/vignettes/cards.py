"""The case page's vignette panel (the chair only): the case's vignette, or the button that generates one
once the case is closed."""

from __future__ import annotations

from ret_app import policy
from ret_app.vignettes import services


def case_panel(case, user):
    if not policy.can_generate_vignette(user, case):
        return None
    vignette = services.current_vignette(case)
    return {"vignette": vignette, "closed": case.status in services.FINISHED}
