"""Every write that matters, one function per change (see each module's docstring).

- ``applications``: create, confirm the contact address, edit, submit, withdraw, resend
  the private link;
- ``confirmation``: what a draft may cost before its contact address is confirmed;
- ``files``: new, kept and cleared uploads, none left behind when a save fails;
- ``reminders`` and ``retention``: drafts reminded before the deadline, personal data erased,
  unconfirmed drafts deleted once expired;
- ``reviews``: a body's verdict on an application;
- ``conflicts``: conflicts of interest (回避), matched automatically, declared, removed;
- ``decisions``: ``decide`` (select, capped and signed off jointly; waitlist; reject;
  reopen: the table of ``applications.workflow``), the decisions available, list order;
- ``locking``: the row locks, call before application;
- ``calls``: publish a complete call, copy a call into a new draft;
- ``audit``: the append-only trail all of them write in their own transaction.
"""

from applications.services.applications import (
    ACTION_DRAFT,
    ACTION_SUBMIT,
    Confirmed,
    DuplicateSubmission,
    application_confirm_email,
    application_create,
    application_resend_links,
    application_update,
    application_withdraw,
    confirmation_resend,
    new_access_token,
    private_link_send,
    private_link_touch,
    private_links_stop_others,
    seal_page_add,
    seal_page_remove,
)
from applications.services.audit import audit_write
from applications.services.calls import (
    call_copy,
    call_criteria_ensure,
    call_publish,
    call_publish_problems,
)
from applications.services.confirmation import client_key, unconfirmed_file_refusals
from applications.services.conflicts import (
    conflict_declare,
    conflict_may_remove,
    conflict_remove,
    conflicts_detect,
    conflicts_recompute_for_body,
)
from applications.services.decisions import (
    CorrectionNeeded,
    available_decisions,
    decide,
    decide_many,
    decisions_release,
    pending_decisions,
    selected_list_reorder,
    selections_propose_by_score,
    waitlist_promote_next,
)
from applications.services.files import (
    ClearFile,
    FileChange,
    KeptFile,
    NewFile,
    pending_upload_create,
)
from applications.services.publicity import (
    Answered,
    ObjectionValues,
    calls_due_to_close,
    objection_answer,
    objection_file,
    publicity_close,
    publicity_publish,
)
from applications.services.reminders import drafts_remind
from applications.services.retention import personal_data_purge, unconfirmed_drafts_expire
from applications.services.reviews import review_save, reviewer_body_get

__all__ = [
    "ACTION_DRAFT",
    "ACTION_SUBMIT",
    "Answered",
    "ClearFile",
    "Confirmed",
    "CorrectionNeeded",
    "DuplicateSubmission",
    "FileChange",
    "KeptFile",
    "NewFile",
    "ObjectionValues",
    "application_confirm_email",
    "application_create",
    "application_resend_links",
    "application_update",
    "application_withdraw",
    "audit_write",
    "available_decisions",
    "call_copy",
    "call_criteria_ensure",
    "call_publish",
    "call_publish_problems",
    "calls_due_to_close",
    "client_key",
    "confirmation_resend",
    "conflict_declare",
    "conflict_may_remove",
    "conflict_remove",
    "conflicts_detect",
    "conflicts_recompute_for_body",
    "decide",
    "decide_many",
    "decisions_release",
    "drafts_remind",
    "new_access_token",
    "objection_answer",
    "objection_file",
    "pending_decisions",
    "pending_upload_create",
    "personal_data_purge",
    "private_link_send",
    "private_link_touch",
    "private_links_stop_others",
    "publicity_close",
    "publicity_publish",
    "review_save",
    "reviewer_body_get",
    "seal_page_add",
    "seal_page_remove",
    "selected_list_reorder",
    "selections_propose_by_score",
    "unconfirmed_drafts_expire",
    "unconfirmed_file_refusals",
    "waitlist_promote_next",
]
