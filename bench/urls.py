"""The portal's URLs plus /bench/floor/: a bare Django view returning a short constant page,
served by the same server, settings and middleware — the framework's own floor."""

from django.http import HttpResponse
from django.urls import include, path


def floor(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor), path("", include("chiefquality.urls"))]
