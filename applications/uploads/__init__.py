"""Checks for the documents applicants upload (seal scans and attachments).

Uploads are judged by their content, never by the name or the browser's
Content-Type: a file is accepted only when its magic bytes say it is one of
ALLOWED_KINDS, the name's extension agrees with that, and the matching parser
(Pillow, pypdf, zipfile, or olefile and msoffcrypto) can read it fully within the
size limits. Every refusal is a ValidationError with a stable ``code`` and a
Chinese message that tells the applicant what to do next. The codes:
empty, too_large, unknown_type, not_allowed, extension_mismatch, polyglot,
corrupt_image, image_bomb, encrypted_pdf, corrupt_pdf, empty_pdf, corrupt_doc,
encrypted_doc, corrupt_docx, encrypted_docx, docx_bomb, docx_macro, doc_macro,
docx_active_content, pdf_active_content, pdf_too_complex, pdf_too_many_pages,
docx_too_many_parts.

Costs: a check is bounded to about a second and 100 MB (docs/performance.md): PDF objects
(as the cross-reference table declares them, before pypdf reads it) and pages, DOCX entries
(as the ZIP's end record declares them, before zipfile reads the directory), and image
pixels, within the memory their decoding takes (``images.pixel_limit``).

Active content (``active``): a PDF with scripts, actions run on events (/AA, an /OpenAction
other than showing a page), launched programs or embedded files; a .doc holding a VBA
project; a .docx with macros (by part name or content type), ActiveX controls or
relationships that fetch something when it opens (an attached template, an OLE object, a
frame, any ``mhtml:`` target) — refused, with a message that says how to make a plain copy.

Polyglots: a PDF, PNG or JPEG that is also a readable ZIP archive (for
example a ZIP whose first bytes are ``%PDF-``, or a PDF or JPEG with an
archive appended) is refused with code "polyglot", even when pypdf or Pillow
could read it. Such a file shows the reviewer one thing and hands another
program something else, and no ordinary PDF or image exporter writes one, so
re-exporting is the fix.

Modules: ``kinds`` (what is accepted), ``inspect`` (the check), ``formats`` (one parser
each), ``active`` (active content), ``images`` (safe opening), ``seal`` (the red-seal hint),
``handlers`` (the upload handler that streams to disk within the size limit), ``qr`` (the
version stamps read off a seal scan, ``applications.stamp``).
"""

from applications.uploads.handlers import SizeLimitedUploadHandler
from applications.uploads.images import jpeg_rendition
from applications.uploads.inspect import inspect_upload
from applications.uploads.kinds import (
    ALLOWED_KINDS,
    ATTACHMENT_KINDS,
    SEAL_KINDS,
    InspectedFile,
    KindInfo,
)
from applications.uploads.qr import read_stamps
from applications.uploads.seal import SealFinding, detect_red_seal, find_red_seal

__all__ = [
    "ALLOWED_KINDS",
    "ATTACHMENT_KINDS",
    "SEAL_KINDS",
    "InspectedFile",
    "KindInfo",
    "SealFinding",
    "SizeLimitedUploadHandler",
    "detect_red_seal",
    "find_red_seal",
    "inspect_upload",
    "jpeg_rendition",
    "read_stamps",
]
