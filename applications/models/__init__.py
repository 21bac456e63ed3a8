"""The data model: calls, applications, reviews, the audit trail and kept uploads."""

from applications.models.application import LONG_TEXT_MAX, Application
from applications.models.audit import AuditEntry
from applications.models.call import Call, OrganisingBody, Standard, is_open_between
from applications.models.question import Question, QuestionKind
from applications.models.review import Review
from applications.models.upload import PendingUpload, SealPage

__all__ = [
    "LONG_TEXT_MAX",
    "Application",
    "AuditEntry",
    "Call",
    "OrganisingBody",
    "PendingUpload",
    "Question",
    "QuestionKind",
    "Review",
    "SealPage",
    "Standard",
    "is_open_between",
]
