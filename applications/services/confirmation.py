"""What an application costs before its contact address is confirmed.

Anyone can post the form: a unit name, an e-mail address and files are a draft. Until the
link of the confirmation mail is opened, the draft is anonymous (nobody has shown that the
address is theirs), so it may cost the portal little and say nothing to the address:

- its files are capped: at most ``UNCONFIRMED_DRAFT_MAX_BYTES`` per draft, and at most
  ``UNCONFIRMED_CLIENT_MAX_BYTES`` over the unconfirmed drafts that one client address
  created in the last ``CLIENT_WINDOW`` (the address is kept only as a keyed hash, and only
  until confirmation); a file beyond either cap is refused next to its field;
- its only mail is the confirmation mail: fixed text and the link, none of the typed text;
- it takes no gap-free reference (a provisional one, ``provisional_reference``);
- it is deleted with its files after ``UNCONFIRMED_DRAFT_HOURS``
  (``services.retention.unconfirmed_drafts_expire``).

The confirmation itself (the reference, the receipt, a submission asked for before) is
``services.applications.application_confirm_email``.
"""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from applications import form_schema, queries
from applications.models import Call
from applications.services.files import FileChange, KeptFile, NewFile

CLIENT_WINDOW = datetime.timedelta(days=1)

DRAFT_CAP_MESSAGE = _(
    "确认邮箱前，附件合计不能超过 %(limit)s，此文件（%(size)s）未保存。"
    "请先不选此文件保存草稿，再打开确认邮件中的链接，确认邮箱后即可上传较大的附件。"
)
CLIENT_CAP_MESSAGE = _(
    "您所在的网络一天内保存的未确认草稿，附件合计已达上限（%(limit)s），此文件未保存。"
    "请先不选此文件保存草稿，再打开确认邮件中的链接，确认邮箱后即可上传较大的附件。"
)


def client_key(address: str) -> str:
    """The client address as the per-client cap counts it: a keyed hash, not the address
    (personal data), so the row says nothing about who posted it."""
    if not address:
        return ""
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def provisional_reference(call: Call) -> str:
    """The reference of an unconfirmed draft: the call's prefix and ``U`` + 10 random hex
    digits, which no gap-free number (digits only) can equal. Never in a URL or a mail."""
    return f"{call.reference_prefix}-U{secrets.token_hex(5).upper()}"


def _size(change: FileChange) -> int | None:
    if isinstance(change, NewFile):
        return change.upload.size
    if isinstance(change, KeptFile):
        return change.pending.size
    return None


def unconfirmed_file_refusals(
    *,
    files: dict[str, FileChange],
    client: str,
    now: datetime.datetime,
    answer_files: dict[int, FileChange] | None = None,
) -> tuple[dict[str, ValidationError], int]:
    """Which of the files of a new, unconfirmed draft are over the caps, and the bytes of
    the others. Files are counted in the form's order, then the files answering the call's
    questions (refused under their form field, ``q_<question pk>``); a file that does not
    fit is refused (its own message) and the later ones may still fit. Reads only."""
    per_draft = settings.UNCONFIRMED_DRAFT_MAX_BYTES
    per_client = settings.UNCONFIRMED_CLIENT_MAX_BYTES
    used = (
        queries.unconfirmed_bytes_of_client(client_key=client, since=now - CLIENT_WINDOW)
        if client
        else 0
    )
    total = 0
    refusals: dict[str, ValidationError] = {}
    named = {field: files[field] for field in form_schema.FILE_FIELDS if field in files}
    named.update({f"q_{pk}": change for pk, change in sorted((answer_files or {}).items())})
    for field, change in named.items():
        size = _size(change)
        if size is None:
            continue
        if total + size > per_draft:
            refusals[field] = ValidationError(
                DRAFT_CAP_MESSAGE,
                code="unconfirmed_draft_cap",
                params={"limit": filesizeformat(per_draft), "size": filesizeformat(size)},
            )
        elif used + total + size > per_client:
            refusals[field] = ValidationError(
                CLIENT_CAP_MESSAGE,
                code="unconfirmed_client_cap",
                params={"limit": filesizeformat(per_client)},
            )
        else:
            total += size
    return refusals, total
