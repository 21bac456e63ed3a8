"""Valid uploads kept between two tries of a form."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications.storage import private_storage, private_upload_to


class PendingUpload(models.Model):
    """A valid file uploaded with a form that failed on other fields.

    Kept so that the applicant does not have to pick the file again; the re-rendered form
    carries a signed reference to it. Claimed (moved onto the application) by the next
    successful save, or removed by ``cleanup_orphan_files`` when it grows old.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    field_name = models.CharField(max_length=40)
    file = models.FileField(storage=private_storage, upload_to=private_upload_to, max_length=200)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    seal_detected = models.BooleanField(null=True)
    stamps = models.JSONField(default=list, blank=True)  # QR version stamps of a seal scan
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("暂存文件")
        verbose_name_plural = _("暂存文件")

    def __str__(self):
        return self.original_name


class SealPage(models.Model):
    """A further page of the stamped 申报表, photographed on its own after the seal scan.

    A long form prints on several pages; on a phone each is one photo, added one by one
    (in order) and removable. The application's ``seal_scan`` is the first; the version
    stamps of all of them are judged together (``applications.stamp``). A new ``seal_scan``
    replaces them all.
    """

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="seal_pages"
    )
    file = models.FileField(storage=private_storage, upload_to=private_upload_to, max_length=200)
    original_name = models.CharField(max_length=255)
    stamps = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["application", "pk"]
        verbose_name = _("盖章表追加页")
        verbose_name_plural = _("盖章表追加页")

    def __str__(self):
        return self.original_name
