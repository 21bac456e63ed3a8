from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("起草单位征集")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        import os

        from django.conf import settings

        from applications import after_response, checks, signals  # noqa: F401  (checks; invalidation)

        after_response.connect()

        # Uploads stream into this folder; Django's checks want it to exist at start.
        if settings.FILE_UPLOAD_TEMP_DIR:
            os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, mode=0o700, exist_ok=True)
