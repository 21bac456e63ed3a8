"""/readyz: can this app server do its work? (django-health-check)

/healthz (applicant/views.py) says only that the process answers; /readyz asks each service
the portal needs, and answers 503 when any fails, so a load balancer sends no request to a
server that would fail it. Text by default (``?format=json`` for JSON).
"""

from django.conf import settings
from health_check.views import HealthCheckView
from typing_extensions import override

CHECKS = [
    ("health_check.checks.Database", {"alias": "default"}),
    ("health_check.checks.Cache", {"alias": "default"}),
    # Writes, reads and deletes a small file: the folder or the bucket, with its keys.
    ("health_check.checks.Storage", {"alias": "private"}),
]


class ReadinessView(HealthCheckView):
    """The checks above, then those named in ``settings.READYZ_EXTRA_CHECKS``.

    The hook for the job queue: a check class (a ``health_check.base.HealthCheck``) whose
    ``run`` raises ``ServiceUnavailable`` when the oldest waiting job has waited too long,
    named there by its dotted path.
    """

    @property
    def checks(self):
        return [*CHECKS, *settings.READYZ_EXTRA_CHECKS]

    @override
    async def get(self, request, *args, **kwargs):
        if "format" not in request.GET and "text/html" not in request.headers.get("accept", ""):
            request.GET = request.GET.copy()
            request.GET["format"] = "text"
        response = await super().get(request, *args, **kwargs)
        if response.status_code == 500:  # a failed check; the process itself is fine
            response.status_code = 503
        return response
