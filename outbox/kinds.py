"""What each kind of mail is called in admin.

The outbox does not know the apps that queue mail; each app names its kinds here when it is
loaded (``register``), and admin shows the name, or the key itself for a kind no app names
(a mail queued by code since removed)."""

from django.utils.functional import Promise

_LABELS: dict[str, str | Promise] = {}


def register(labels: dict[str, str | Promise]) -> None:
    _LABELS.update(labels)


def label(kind: str) -> str:
    return str(_LABELS.get(kind, kind)) if kind else "—"
