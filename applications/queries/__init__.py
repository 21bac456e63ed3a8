"""Reads: querysets with their joins, for views, forms, admin, documents and services.

("Selector" in this project means a person who selects; reads live here.)
"""

from applications.queries.access import (
    applications_visible_to,
    calls_selectable_by,
    calls_visible_to,
    may_decide_on,
    selector_candidates,
)
from applications.queries.applications import (
    PrivateLinkStamp,
    application_by_idempotency_key,
    application_get_by_token,
    applications_for_email,
    call_get_current,
    call_public,
    calls_open,
    calls_public,
    credit_code_taken,
    drafter_taken,
    private_link_stamp,
    token_hash,
)
from applications.queries.decisions import (
    call_counts,
    call_decision_counts,
    list_holders_ordered,
    pending_counts,
    selected_ordered,
    selection_candidates_by_score,
    waitlist_ranked,
)
from applications.queries.documents import (
    application_for_document,
    applications_for_export,
    call_by_code,
    export_bodies,
    export_call_codes,
    export_count,
    export_questions,
)
from applications.queries.reviews import (
    applications_with_review_summary,
    mean_score_subquery,
    next_unreviewed,
    recommend_count_subquery,
    reviewer_bodies,
    reviews_by_body,
    verdict_field,
)

__all__ = [
    "PrivateLinkStamp",
    "application_by_idempotency_key",
    "application_for_document",
    "application_get_by_token",
    "applications_for_email",
    "applications_for_export",
    "applications_visible_to",
    "applications_with_review_summary",
    "call_by_code",
    "call_counts",
    "call_decision_counts",
    "call_get_current",
    "call_public",
    "calls_open",
    "calls_public",
    "calls_selectable_by",
    "calls_visible_to",
    "credit_code_taken",
    "drafter_taken",
    "export_bodies",
    "export_call_codes",
    "export_count",
    "export_questions",
    "list_holders_ordered",
    "may_decide_on",
    "mean_score_subquery",
    "next_unreviewed",
    "pending_counts",
    "private_link_stamp",
    "recommend_count_subquery",
    "reviewer_bodies",
    "reviews_by_body",
    "selected_ordered",
    "selection_candidates_by_score",
    "selector_candidates",
    "token_hash",
    "verdict_field",
    "waitlist_ranked",
]
