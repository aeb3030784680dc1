"""The kernel: the small structure every capability plugs into.

    dates.py     one "today" (the date in the Netherlands) and aware UTC moments
    errors.py    RuleError (a rule refused this input) and Conflict (someone else changed it first)
    uow.py       the unit of work: one commit per request, CLI command or job; rollback on error
    events.py    typed domain events; in-transaction subscribers and reactions after the commit
    machine.py   the state-machine type (transitions as data, guards, who may act, on-enter hooks)
    registry.py  extension points: blueprints, navigation, case-page panels, start-page cards,
                 timeline labels and the routes' expected access, registered per capability

Nothing here imports a domain package (or the policy, or the audit trail): the kernel is the
bottom layer. This file imports nothing, so importing one kernel module never drags in another.
"""
