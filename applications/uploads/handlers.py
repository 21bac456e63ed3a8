"""The upload handler that refuses oversized files without losing the rest of the form."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.uploadhandler import TemporaryFileUploadHandler

# --- upload handler ----------------------------------------------------------------------


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    """Stream uploads to temporary files, discarding any file beyond UPLOAD_MAX_BYTES.

    Raising StopUpload or SkipFile would lose the rest of the form (or the file's
    name and field), so the applicant would see an unrelated error instead of
    "too large". Instead the handler keeps reading the request, drops the
    oversized file's chunks and empties its temporary file; the UploadedFile it
    returns has ``too_large = True`` and ``size`` = the bytes received, and
    inspect_upload turns that into a proper message. Files within the limit are
    returned exactly as TemporaryFileUploadHandler does, with ``too_large = False``.
    """

    def new_file(self, *args, **kwargs):
        if settings.FILE_UPLOAD_TEMP_DIR:
            os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, exist_ok=True)
        super().new_file(*args, **kwargs)
        self.too_large = False

    def receive_data_chunk(self, raw_data, start):
        if self.too_large:
            return None
        if start + len(raw_data) > settings.UPLOAD_MAX_BYTES:
            self.too_large = True
            self.file.seek(0)
            self.file.truncate()  # free the disk space; the content will never be used
            return None
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        uploaded = super().file_complete(file_size)
        uploaded.too_large = self.too_large
        return uploaded
