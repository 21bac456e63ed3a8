from django.contrib import admin
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from applications.applicant import views
from applications.health import ReadinessView

urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico on pages without an icon link (admin, PDFs, the JSON of
    # /readyz); the portal's mark answers instead of a 404 in every log.
    path("favicon.ico", lambda _request: redirect(static("applications/favicon.svg"))),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", ReadinessView.as_view(), name="readyz"),
    # The language switch. Without CSRF protection on purpose: all a forged request can do is
    # change the visitor's language, and pages with no form of their own stay cacheable.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("", include("applications.urls")),
]
