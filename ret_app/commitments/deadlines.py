"""An open request's reply-by date is a due date of the case: the commitments register it with the
norms (`norms.register_due_source`), so the case's stored next due item (lists, "over tijd", start
pages) takes it into account, and refresh it whenever a request changes (made, answered, withdrawn,
started, ended). The providers asked are named as the holders of that due item."""

from __future__ import annotations

from ret_app.cases import norms, waiting
from ret_app.commitments.events import _RequestChange
from ret_app.commitments.services import DUE_KIND, request_due, request_due_batch, request_holders_batch
from ret_app.kernel import events

norms.register_due_source(request_due, batch=request_due_batch)
waiting.register_holder_names(DUE_KIND, request_holders_batch)  # "wacht op <the provider asked>"


@events.subscribe(_RequestChange)
def _refresh(event: _RequestChange) -> None:
    norms.refresh_deadline(event.case)
