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


class AnswerFile(models.Model):
    """The file answering one of a call's own questions of kind "file" (``Question``).

    The answer in ``Application.extra_answers`` is the file's original name, kept with it
    by the same service (``services.files.FileWork.apply_answers``); the row holds the
    stored file and what identifies it. One per application and question: a new upload
    replaces it, and the replaced file is deleted after commit.
    """

    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.CASCADE,
        related_name="answer_files",
        verbose_name=_("申报"),
    )
    question = models.ForeignKey(
        "applications.Question",
        on_delete=models.CASCADE,
        related_name="answer_files",
        verbose_name=_("附加问题"),
    )
    file = models.FileField(
        _("文件"), storage=private_storage, upload_to=private_upload_to, max_length=200
    )
    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        ordering = ["application", "question__position", "question"]
        verbose_name = _("附加问题文件")
        verbose_name_plural = _("附加问题文件")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "question"], name="one_answer_file_per_question"
            )
        ]

    def __str__(self):
        return self.original_name
