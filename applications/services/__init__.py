"""Every write that matters, one function per change (see each module's docstring).

- ``applicants``: create, edit, submit, withdraw, resend the private link, keep uploads;
- ``reviews``: a body's verdict on an application;
- ``decisions``: select (capped, joint sign-off), waitlist, reject, reopen, list order;
- ``audit``: the append-only trail all of them write in their own transaction.
"""

from .applicants import (
    ACTION_DRAFT,
    ACTION_SUBMIT,
    APPLICANT_FIELDS,
    ClearFile,
    DuplicateSubmission,
    FileChange,
    KeptFile,
    NewFile,
    application_create,
    application_resend_links,
    application_update,
    application_withdraw,
    drafts_remind,
    new_access_token,
    pending_upload_create,
    personal_data_purge,
)
from .audit import audit_write
from .decisions import (
    application_reject,
    application_reopen,
    application_select,
    application_waitlist,
    selected_list_reorder,
    waitlist_promote_next,
)
from .reviews import review_save, reviewer_body_get

__all__ = [
    "ACTION_DRAFT",
    "ACTION_SUBMIT",
    "APPLICANT_FIELDS",
    "ClearFile",
    "DuplicateSubmission",
    "FileChange",
    "KeptFile",
    "NewFile",
    "application_create",
    "application_reject",
    "application_reopen",
    "application_resend_links",
    "application_select",
    "application_update",
    "application_waitlist",
    "application_withdraw",
    "audit_write",
    "drafts_remind",
    "new_access_token",
    "pending_upload_create",
    "personal_data_purge",
    "review_save",
    "reviewer_body_get",
    "selected_list_reorder",
    "waitlist_promote_next",
]
