"""Which stored attachments an organiser may view in the page rather than download.

The stored name's extension is the canonical one of the kind the upload inspection found
(``uploads.kinds``; never the applicant's own file name), so only a checked PDF, PNG or
JPEG is ever sent ``Content-Disposition: inline``; anything else stays a download.
"""

from pathlib import PurePosixPath

INLINE_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}

# An inline file is its own sandboxed document: no script, form, plugin or navigation of its
# own, framed only by the portal's pages. Chromium's PDF viewer honours a sandbox set by this
# header but refuses to run in a sandboxed <iframe>, so the sandbox is the response's.
INLINE_POLICY = (
    "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


def inline_type(stored_name: str) -> str | None:
    """The content type to show ``stored_name`` inline with, or None (download only)."""
    return INLINE_TYPES.get(PurePosixPath(stored_name or "").suffix.lower())


# Kept as uploaded, shown to organisers as a JPEG rendition made when asked for (an iPhone's
# HEIC, which most browsers cannot show; views.RENDITION_EXTENSIONS).
RENDITION_SUFFIXES = (".heic", ".heif")


def shown_type(stored_name: str, *, rendition: bool = True) -> str | None:
    """What a page shows ``stored_name`` as: its own type, a HEIC as its JPEG rendition
    (unless ``rendition`` is off: the original asked for), or None (download only)."""
    if rendition and PurePosixPath(stored_name or "").suffix.lower() in RENDITION_SUFFIXES:
        return "image/jpeg"
    return inline_type(stored_name)
