"""The portal's URLs plus two floors, served by the same server, settings and middleware:
/bench/floor/, a bare Django view returning a short constant page, and
/bench/floor-upload/, a bare view that receives a form with files (Django parses it and
streams the files to disk, as for any view) and answers 303, as the form does."""

from django.http import HttpResponse
from django.urls import include, path


def floor(_request):
    return HttpResponse("ok", content_type="text/plain")


def floor_upload(request):
    assert request.method == "POST" and request.FILES  # parsed, files on disk
    response = HttpResponse(status=303)
    response["Location"] = "/bench/floor/"
    return response


urlpatterns = [
    path("bench/floor/", floor),
    path("bench/floor-upload/", floor_upload),
    path("", include("chiefquality.urls")),
]
