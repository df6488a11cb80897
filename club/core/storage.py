"""Uploaded files: stored outside ``static/`` under random names, typed from their content.

Views never hand out paths: they check access to the owning record, then call ``send_stored``.

A file is written when ``store`` is called (so the row never points to a file not yet on disk) and kept only if
the transaction commits: a rollback, or a session closed without a commit, deletes the files it stored.
A file refused (empty, too large, not of the kinds accepted) raises ``UploadRefused``, a ``Refused`` whose message
comes from the one table below.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import zipfile
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, send_file
from sqlalchemy.orm import Mapped, mapped_column

from club.core.refusals import Refused
from club.extensions import db
from club.models import utcnow

KINDS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}


MIB = 1024 * 1024

KIND_NAMES = {"pdf": "PDF", "docx": "Word (DOCX)", "xlsx": "Excel (XLSX)", "csv": "CSV"}


def upload_message(reason: str, *, kinds=(), max_size: int | None = None):
    """The one table of upload refusals: what the person reads for ``reason`` (empty, too_big, wrong_kind)."""
    from flask_babel import gettext as _

    if reason == "empty":
        return _("The file is empty.")
    if reason == "too_big":
        return _("This file is too large: %(mb)s MB at most.", mb=format_megabytes(max_size or upload_max_size()))
    if set(kinds) == {"csv"}:
        return _("This is not a CSV file. Save the sheet as “CSV (séparateur : point-virgule)” and try again.")
    names = ", ".join(KIND_NAMES[k] for k in sorted(kinds) if k in KIND_NAMES)
    return _("This file is not of an accepted kind (%(kinds)s); its content was checked, not its name.",
             kinds=names)


class UploadRefused(Refused):
    """The file is empty, too big or not of an accepted kind: ``reason`` says which, the message is for the
    person (``upload_message``), at ``field`` when the caller names the form field."""

    def __init__(self, reason: str, *, kinds=(), max_size: int | None = None, field: str | None = None):
        super().__init__(upload_message(reason, kinds=kinds, max_size=max_size), field=field)
        self.reason = reason


def upload_max_size() -> int:
    """The largest file one upload field takes (``UPLOAD_MAX_SIZE``), always below ``MAX_CONTENT_LENGTH``,
    so an oversized file is a field error with the rest of the form kept, not a bare 413."""
    limit = int(current_app.config.get("UPLOAD_MAX_SIZE") or 10 * MIB)
    request_limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if request_limit:
        limit = min(limit, max(int(request_limit) - 256 * 1024, 1))  # room for the other fields
    return limit


def uploaded_size(file_storage) -> int:
    stream = file_storage.stream
    position = stream.tell()
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(position)
    return size


class FileWithinLimit:
    """WTForms validator for every file field: text where a file is expected, or a file over the
    per-file limit, is an error at the field; everything else typed in the form is kept.

    ``FileWithinLimit()`` uses ``UPLOAD_MAX_SIZE``; ``FileWithinLimit(2 * MIB)`` a smaller limit of its own.
    """

    def __init__(self, max_size: int | None = None):
        self.max_size = max_size

    def __call__(self, form, field):
        from flask_babel import lazy_gettext as _l
        from werkzeug.datastructures import FileStorage
        from wtforms.validators import StopValidation

        data = field.data
        if data is None or data == "" or data == []:
            return
        files = data if isinstance(data, list) else [data]
        limit = min(self.max_size or upload_max_size(), upload_max_size())
        for item in files:
            if not isinstance(item, FileStorage):
                field.errors[:] = []
                raise StopValidation(_l("Choose a file to send."))
            if uploaded_size(item) > limit:
                field.errors[:] = []
                raise StopValidation(_l("This file is too large: %(mb)s MB at most.",
                                        mb=format_megabytes(limit)))


def format_megabytes(size: int) -> str:
    from flask_babel import format_decimal

    megabytes = size / MIB
    return format_decimal(round(megabytes, 1), format="#,##0.#")


class StoredFile(db.Model):
    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[str] = mapped_column(sa.String(8))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def content_type(self) -> str:
        return KINDS[self.kind]


def detect_kind(data: bytes) -> str | None:
    """The kind of a file judged by its bytes alone (never by its name or declared type)."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("word/") for n in names):
                return "docx"
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
        return None
    if _is_text(data):
        return "csv"
    return None


def _is_text(data: bytes) -> bool:
    """Plain text (UTF-8, with or without BOM, or Windows-1252): what a CSV file is made of."""
    head = data[:65536]
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a multi-byte character cut at the sample's end
            return True
    try:
        text = head.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\r\n\t" for ch in text)


def safe_display_name(name: str | None, kind: str) -> str:
    """Keep the user's file name for display and downloads only: no path, no control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?').strip(" .")
    if not base:
        base = f"document.{kind}"
    return base[:200]


def _root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def store(data: bytes, original_name: str | None, *, kinds: set[str], max_size: int, by=None,
          field: str | None = None) -> StoredFile:
    """Check and write a file; add its ``StoredFile`` row to the session. The file stays only if the
    transaction commits. Refusals name ``field`` (the form field the file came from)."""
    if not data:
        raise UploadRefused("empty", field=field)
    if len(data) > max_size:
        raise UploadRefused("too_big", max_size=max_size, field=field)
    kind = detect_kind(data)
    if kind not in kinds:
        raise UploadRefused("wrong_kind", kinds=kinds, field=field)
    key = secrets.token_hex(16)
    path = _root() / key[:2] / key
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    db.session.info.setdefault(NEW_FILES, []).append(path)
    stored = StoredFile(
        key=key,
        original_name=safe_display_name(original_name, kind),
        kind=kind,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by_id=getattr(by, "id", None),
    )
    db.session.add(stored)
    db.session.flush()
    return stored


NEW_FILES = "club.storage.new_files"


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _keep_new_files(session) -> None:
    session.info.pop(NEW_FILES, None)


@sa.event.listens_for(sa.orm.Session, "after_transaction_end")
def _discard_uncommitted_files(session, transaction) -> None:
    """The outermost transaction ended without a commit (rolled back, or the session closed): the files
    stored in it are not referenced by any row, delete them."""
    if transaction.parent is not None:
        return
    for path in session.info.pop(NEW_FILES, []):
        path.unlink(missing_ok=True)


def read_limited(file_storage, max_size: int) -> bytes:
    """Read at most ``max_size + 1`` bytes of an uploaded file (enough to know it is too big)."""
    return file_storage.stream.read(max_size + 1)


def download_name(stored: StoredFile) -> str:
    """The uploader's name with the extension of the checked kind: a PDF is served as ``.pdf``, never as
    the ``deck.html`` someone named it (a browser or a desktop would open it by its extension)."""
    name = safe_display_name(stored.original_name, stored.kind)
    stem, dot, extension = name.rpartition(".")
    if dot and stem and extension.isalnum() and len(extension) <= 5:  # an extension: replace it
        name = stem
    return f"{name}.{stored.kind}"[-200:] if not name.lower().endswith("." + stored.kind) else name


def _path(stored: StoredFile) -> Path:
    return _root() / stored.key[:2] / stored.key


def read_stored(stored: StoredFile) -> bytes:
    """The bytes of a stored file (an import read again at its confirmation)."""
    return _path(stored).read_bytes()


def send_stored(stored: StoredFile):
    path = _path(stored)
    response = send_file(
        path,
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=download_name(stored),
        max_age=0,
        conditional=False,
        etag=False,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
