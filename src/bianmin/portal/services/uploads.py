"""Uploaded materials: checked (PDF, JPEG or PNG by their first bytes, at most 5 MB), stored
under MEDIA_ROOT with a random name, and removed again when the application they belong to
is not written."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import Case
from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.errors import OutOfScope
from bianmin.core.models import AuditAction
from bianmin.portal.models import Upload

MAX_BYTES = 5 * 1024 * 1024

# The type is what the file starts with, not what its name or the browser claims.
_SIGNATURES = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
)


@dataclass(frozen=True)
class CheckedFile:
    code: str
    name: str  # the material's name
    file: UploadedFile
    content_type: str
    sha256: str


def check_file(file: UploadedFile, *, code: str, name: str) -> CheckedFile:
    """A file the portal accepts, or a ValidationError naming the material and the problem."""
    if file.size > MAX_BYTES:
        raise ValidationError(
            _("“%(name)s”的文件超过5MB，请压缩或分页后上传。"),
            code="file_too_large",
            params={"name": name},
        )
    head = file.read(8)
    file.seek(0)
    suffix = PurePosixPath(file.name or "").suffix.lower()
    for magic, content_type, suffixes in _SIGNATURES:
        if head.startswith(magic) and suffix in suffixes:
            digest = hashlib.sha256()
            for chunk in file.chunks():
                digest.update(chunk)
            file.seek(0)
            return CheckedFile(code, name, file, content_type, digest.hexdigest())
    raise ValidationError(
        _("“%(name)s”只能上传PDF、JPG或PNG格式的文件。"),
        code="file_type",
        params={"name": name},
    )


def _display_name(raw: str) -> str:
    # Only shown back to its owner; no path parts, bounded length.
    return PurePosixPath((raw or "").replace("\\", "/")).name[-120:] or "file"


class Stored:
    """The files written for one application, so that a failed one leaves none behind."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._storage = None

    def save(self, case: Case, checked: CheckedFile, *, purpose: str, user_id: int) -> Upload:
        upload = Upload(
            case=case,
            material_code=checked.code,
            material_name=checked.name,
            purpose=purpose,
            original_name=_display_name(checked.file.name),
            content_type=checked.content_type,
            size=checked.file.size,
            sha256=checked.sha256,
            uploaded_by_id=user_id,
        )
        upload.file.save(checked.file.name, checked.file, save=False)
        self.names.append(upload.file.name)
        self._storage = upload.file.storage
        upload.save(force_insert=True)
        return upload

    def discard(self) -> None:
        for name in self.names:
            self._storage.delete(name)
        self.names = []


@contextmanager
def storing() -> Iterator[Stored]:
    """Files written inside are deleted again if the block fails (the database work they
    belong to rolled back)."""
    stored = Stored()
    try:
        yield stored
    except BaseException:
        stored.discard()
        raise


def uploads_of(case: Case) -> list[Upload]:
    """The files uploaded for a case (application and 补正), oldest first — for the clerk's
    precheck page (`portal:staff-file` downloads one)."""
    return list(Upload.objects.filter(case=case).order_by("uploaded_at", "id"))


def access_upload(*, actor: Actor, upload_id: int) -> Upload:
    """One uploaded file for a staff member, within the case's scope; the read is audited
    (the file shows the applicant's documents)."""
    upload = Upload.objects.select_related("case").filter(pk=upload_id).first()
    if upload is None:
        raise Upload.DoesNotExist
    if not Case.objects.filter(pk=upload.case_id).exists():
        raise OutOfScope()
    audit.record(
        actor,
        AuditAction.READ,
        object_type="case",
        object_id=upload.case.case_no,
        object_label=f"{upload.case.case_no} {upload.case.applicant_name} {upload.material_name}",
    )
    return upload
