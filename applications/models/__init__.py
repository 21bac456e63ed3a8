"""The data model: calls, applications, reviews, the audit trail and kept uploads."""

from applications.models.application import LONG_TEXT_MAX, Application
from applications.models.audit import AuditEntry
from applications.models.calendar import CalendarDay
from applications.models.call import Call, OrganisingBody, Standard, is_open_between
from applications.models.conflict import (
    Conflict,
    ConflictSource,
    RelatedUnit,
    RelatedUnitKind,
)
from applications.models.link import PrivateLink
from applications.models.publicity import OBJECTION_REASON_MAX, Objection, ObjectionVerdict
from applications.models.question import Question, QuestionKind
from applications.models.review import Review
from applications.models.rubric import LEGACY_LABEL, WEIGHT_TOTAL, Criterion, ReviewScore
from applications.models.upload import AnswerFile, PendingUpload, SealPage

__all__ = [
    "LEGACY_LABEL",
    "LONG_TEXT_MAX",
    "OBJECTION_REASON_MAX",
    "WEIGHT_TOTAL",
    "AnswerFile",
    "Application",
    "AuditEntry",
    "CalendarDay",
    "Call",
    "Conflict",
    "ConflictSource",
    "Criterion",
    "Objection",
    "ObjectionVerdict",
    "OrganisingBody",
    "PendingUpload",
    "PrivateLink",
    "Question",
    "QuestionKind",
    "RelatedUnit",
    "RelatedUnitKind",
    "Review",
    "ReviewScore",
    "SealPage",
    "Standard",
    "is_open_between",
]
