"""Who may see and do what: the one access policy, one module per domain.

    core.py       roles, permissions, route declarations (`@public`, `@requires`), the route guard
    freshness.py  how recently the user proved who they are (sensitive routes)
    commitments.py requests to providers of the collective and commitments (who sees, who answers)
    collective.py the HSWV collective: provider profiles and capacity (who reads, who keeps them)
    cases.py      need-to-know per case, with its SQL twin; referral, consent, participants, screening
    meetings.py   RET sessions, minutes, provisional decisions and actions, with their SQL twins
    mandates.py   mandates and who may hold them
    plans.py      the process direction plan: who reads it, who keeps it, with their SQL twins
    rereferrals.py re-referrals: who sees a link between two cases of one youth, who decides it
    tokens.py     the monitor API's bearer tokens: who administers them, and the check of a request's token
    escalations.py escalations to the supra-regional network: the RET's side and the liaison's, with
                  their SQL twins
    outcomes.py   a case's outcome at closing: who reads it (the RET side), who records it
    vignettes.py  anonymised learning vignettes: the chair keeps them, the RET reads approved ones
    exports.py    export jobs: the requester's alone, with its SQL twin
    signals.py    gap signals and the gap overview: the RET of the region reads, the chair acts
    reflection.py the reflection report per access team or municipality: the RET and the analyst of the region
    privacy.py    the privacy officer and the chair: the privacy hub, a case's access log, the people's requests

A new domain (the collective, escalations, signals, ...) adds its module here and re-exports it
below. Views call these functions, list queries filter with the SQL twins, templates use them to
hide links, and `tests/test_access_policy.py` checks every route against a hand-written table.
"""

from ret_app.policy.cases import (  # noqa: F401
    can_contribute_to_screening,
    can_edit_referral,
    can_manage_participants,
    can_open_screening,
    can_record_consent,
    can_see_identity,
    can_view_case,
    can_write_screening_texts,
    identity_visible_clause,
    is_chair_of,
    is_chair_or_director,
    is_process_director,
    is_referrer,
    visible_case_ids,
    visible_cases_clause,
)
from ret_app.policy.collective import (  # noqa: F401
    can_keep_provider,
    can_update_capacity,
    can_view_capacity,
    can_view_provider,
    collective_providers_clause,
    is_collective_provider,
    kept_providers_clause,
    sees_capacity_overview,
    updatable_capacity_clause,
    visible_capacity_clause,
    visible_providers_clause,
)
from ret_app.policy.commitments import (  # noqa: F401
    answerable_requests_clause,
    can_answer_request,
    can_make_requests,
    can_run_commitment,
    can_see_suggestions,
    can_view_request,
    can_withdraw_request,
    overdue_watch_clause,
    reads_every_request_of,
    sees_past_reply_by,
    visible_requests_clause,
    watches_request,
)
from ret_app.policy.core import (  # noqa: F401
    ALL_ROLES,
    NO_CASE_ROLES,
    ROLE_PERMISSIONS,
    Access,
    Permission,
    access_of,
    can,
    enforce_route_access,
    has_role,
    public,
    region_of,
    requires,
    role_has,
    roles_for,
    sees_no_cases,
    signed_in,
    token_authenticated,
)
from ret_app.policy.signals import (  # noqa: F401
    can_act_on_signal,
    can_view_signal,
    sees_signals,
    signals_region,
    visible_signals_clause,
)
from ret_app.policy.privacy import (  # noqa: F401
    can_approve_destruction,
    can_handle_privacy_requests,
    can_see_access_log,
    is_privacy_officer_of,
    privacy_region,
)
from ret_app.policy.reflection import (  # noqa: F401
    can_read_reflection,
    reflection_region,
)
from ret_app.policy.escalations import (  # noqa: F401
    actionable_escalations_clause,
    can_act_for_network,
    can_prepare_escalation,
    can_reply_for_ret,
    can_send_escalation,
    can_view_escalation,
    can_withdraw_escalation,
    escalation_watch_clause,
    is_liaison_of,
    liaison_network_id,
    listed_escalations_clause,
    lists_escalation,
    network_consent_stands,
    sees_escalations,
    visible_escalations_clause,
    watches_escalation,
    watches_escalations,
)
from ret_app.policy.mandates import (  # noqa: F401
    MANDATE_HOLDER_ROLES,
    can_view_mandate,
    may_hold_mandate,
    oversees_region_mandates,
)
from ret_app.policy.meetings import (  # noqa: F401
    answerable_decisions_clause,
    answers_for_every_municipality,
    can_add_addendum,
    can_answer_provisional,
    can_check_in,
    can_plan_sessions,
    can_put_on_agenda,
    can_run_meeting,
    can_update_action,
    can_view_extract,
    can_view_meeting,
    check_in_open,
    is_invited,
    is_ret_of_region,
    mandates_of,
    may_learn_answer,
    owns_action,
    sees_full_meeting,
    visible_items,
    visible_items_clause,
    visible_meetings_clause,
)
from ret_app.policy.plans import (  # noqa: F401
    can_keep_plan,
    can_read_plan,
    kept_plans_clause,
    readable_plans_clause,
)
from ret_app.policy.exports import (  # noqa: F401
    own_exports_clause,
    owns_export,
)
from ret_app.policy.outcomes import (  # noqa: F401
    can_record_outcome,
    sees_outcome,
)
from ret_app.policy.rereferrals import (  # noqa: F401
    can_decide_rereferral,
    can_see_link,
    is_ret_side,
    link_visible_clause,
)
from ret_app.policy.tokens import (  # noqa: F401
    administered_organisations_clause,
    administers_region,
    api_token,
    authenticate_bearer,
    hash_secret,
    holder_clause,
    may_hold_api_token,
)
from ret_app.policy.vignettes import (  # noqa: F401
    can_generate_vignette,
    can_keep_vignette,
    can_keep_vignettes_of,
    can_view_vignette,
    visible_vignettes_clause,
)
