"""The red-seal hint as a job of the worker: the applicant's save never waits for it.

The hint (``uploads.seal.find_red_seal``: a seal or not, and where on the page) decodes the
stored scan, within the same limits as the upload check; the worker writes it to the
application once done, unless the scan was replaced meanwhile (then the newer scan's own job
decides).
"""

from pathlib import PurePosixPath

from django_tasks_db.models import DBTaskResult

from applications.models import Application
from applications.storage import private_storage
from applications.uploads import find_red_seal
from applications.uploads.kinds import ALLOWED_KINDS, SEAL_KINDS
from outbox.jobs import task

KIND_OF_EXTENSION = {ext: kind for kind in SEAL_KINDS for ext in ALLOWED_KINDS[kind].extensions}


@task()
def seal_hint(application_id: int, name: str) -> bool | None:
    """Look for a red seal on the stored scan ``name`` of the application, and where on the
    page it is."""
    kind = KIND_OF_EXTENSION.get(PurePosixPath(name).suffix.lower())
    if kind is None or not Application.objects.filter(pk=application_id, seal_scan=name).exists():
        return None
    with private_storage().open(name, "rb") as f:
        found = find_red_seal(f, kind)
    Application.objects.filter(pk=application_id, seal_scan=name).update(
        seal_detected=None if found is None else found.seen,
        seal_place="" if found is None else found.where,
    )
    return None if found is None else found.seen


def seal_hint_later(application: Application) -> None:
    """Enqueue the hint for the application's current scan, in the caller's transaction."""
    name = application.seal_scan.name
    if name and application.seal_detected is None:
        seal_hint.enqueue(application.pk, name)


def seal_hint_waiting(application: Application) -> bool:
    """Whether the hint for the application's current scan is still to come: its job waits
    for the worker or runs (a worker that is down leaves it waiting; nothing is lost)."""
    name = application.seal_scan.name
    if not name or application.seal_detected is not None:
        return False
    waiting = (DBTaskResult.objects.ready() | DBTaskResult.objects.running()).filter(
        task_path=seal_hint.module_path
    )
    return any(
        row["args"][:2] == [application.pk, name]
        for row in waiting.values_list("args_kwargs", flat=True)
    )
