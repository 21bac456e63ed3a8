import os

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from applications import checks, signals


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("起草单位征集")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        signals.connect()  # the public pages' cache follows the call
        checks.register()
        # Uploads stream into this folder; Django's checks want it to exist at start.
        if settings.FILE_UPLOAD_TEMP_DIR:
            os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, mode=0o700, exist_ok=True)
