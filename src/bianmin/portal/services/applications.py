"""网上申报 and online 补正: the resident's uploads checked, the application handed to the cases
service (channel online: it waits as `submitted` for a clerk's precheck), the files stored
with the case in one go.

A double click or a retried request carries the same form token: the cases service's
idempotency record (`IdempotencyRecord`, per account and token) makes it one case."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import Case, IntakeChannel
from bianmin.cases.services import acceptance, fetching, intake
from bianmin.cases.services.idempotency import (
    IdempotencyKeyReused,
    check_key,
    fingerprint,
    replay,
    run_once,
)
from bianmin.cases.services.precheck import Applicant, Precheck, Provided, precheck
from bianmin.catalog.models import MaterialForm, ServiceItem
from bianmin.core.audit import Actor
from bianmin.portal.models import UploadPurpose
from bianmin.portal.progress import SupplementRequest
from bianmin.portal.services.uploads import CheckedFile, check_file, storing
from bianmin.registry.models import Person


@dataclass(frozen=True)
class Applied:
    case: Case
    replayed: bool  # the same form was submitted before: this is that case


def check_files(item: ServiceItem, files: Mapping[str, UploadedFile]) -> list[CheckedFile]:
    """Every uploaded file checked; all problems at once, each on its material's field. A
    material sharing could supply may be uploaded too (it could not be fetched)."""
    materials = {m.code: m for m in item.materials.all()}
    checked, errors = [], {}
    for code, file in files.items():
        material = materials.get(code)
        if material is None:
            errors[code] = ValidationError(_("该事项不需要上传此材料。"), code="unknown_material")
            continue
        try:
            checked.append(check_file(file, code=code, name=material.name))
        except ValidationError as e:
            errors[code] = e
    if errors:
        raise ValidationError(errors)
    return checked


def _electronic(checked: Iterable[CheckedFile]) -> list[Provided]:
    # Online everything arrives electronically; originals are seen when the result is collected.
    return [Provided(c.code, MaterialForm.ELECTRONIC) for c in checked]


def preview(
    *, actor: Actor, item: ServiceItem, applicant: Applicant, provided=(), applicable=()
) -> Precheck:
    """What the clerk's precheck would say, writing nothing: the sharing gate is asked
    (grant, the resident's consent, a source) without reading anyone's data, so a shared
    material that cannot be fetched is asked for, with the reason, before the application
    goes in."""
    result = precheck(
        item=item,
        applicant=applicant,
        provided=provided,
        channel=IntakeChannel.ONLINE,
        applicable=applicable,
    )
    if result.problems:
        return result
    return fetching.fetch(actor=actor, checked=result, applicant=applicant, preview=True)[0]


def check_application(
    *,
    actor: Actor,
    item: ServiceItem,
    applicant: Applicant,
    checked: list[CheckedFile],
    applicable=(),
) -> Precheck:
    """The applicant must meet the item's conditions and every required material must be
    uploaded — shared ones are fetched, never asked for, unless sharing cannot supply them
    (`preview`): then they are named with the reason."""
    result = preview(
        actor=actor,
        item=item,
        applicant=applicant,
        provided=_electronic(checked),
        applicable=applicable,
    )
    if result.problems:
        raise ValidationError("；".join(result.problems), code="applicant_not_eligible")
    if result.missing:
        raise ValidationError(
            _("请上传以下材料：%(names)s。"),
            code="materials_missing",
            params={"names": "、".join(_named(result, c) for c in result.missing)},
        )
    return result


def _named(result: Precheck, check) -> str:
    """A material's name; one sharing could not supply says why (未获居民授权 …)."""
    shared = {m.code for m in result.item.materials.all() if m.shared_source}
    return f"{check.name}（{check.reason}）" if check.code in shared else check.name


def apply_online(
    *,
    actor: Actor,
    item: ServiceItem,
    applicant: Applicant,
    files: Mapping[str, UploadedFile],
    token: str,
    applicable: Iterable[str] = (),
) -> Applied:
    """Submit an online application with its uploads, once per form token."""
    checked = check_files(item, files)
    check_application(
        actor=actor, item=item, applicant=applicant, checked=checked, applicable=applicable
    )
    key = check_key(token)
    who = f"p{applicant.person.pk}" if applicant.person else f"o{applicant.organisation.pk}"
    digest = fingerprint(
        method="POST",
        path=f"portal/apply/{item.code}",
        body={"applicant": who, "files": sorted([c.code, c.sha256] for c in checked)},
    )
    try:
        earlier = replay(user_id=actor.user_id, key=key, digest=digest)
    except IdempotencyKeyReused:
        raise _form_reused() from None
    if earlier is not None:
        return Applied(Case.unscoped.get(case_no=earlier.body["case_no"]), replayed=True)

    with storing() as stored:

        def perform():
            case = intake.submit_online(
                actor=actor,
                item=item,
                applicant=applicant,
                provided=_electronic(checked),
                applicable=applicable,
            ).case
            for c in checked:
                stored.save(case, c, purpose=UploadPurpose.APPLICATION, user_id=actor.user_id)
            return 201, {"case_no": case.case_no}, case

        answer = run_once(user_id=actor.user_id, key=key, digest=digest, perform=perform)
        if answer.replayed:  # a concurrent twin won the race: its case stands, ours is undone
            stored.discard()
    return Applied(Case.unscoped.get(case_no=answer.body["case_no"]), replayed=answer.replayed)


def _form_reused() -> ValidationError:
    return ValidationError(
        _("这张申请表已经提交过。如需再次申请，请重新打开申请页面填写。"), code="form_reused"
    )


def resubmit_online(
    *,
    actor: Actor,
    person: Person,
    case: Case,
    request: SupplementRequest,
    files: Mapping[str, UploadedFile],
) -> Precheck:
    """补正 on the portal: the materials the notice asked for (or, when it gave only a reason,
    at least one file), then the cases service restarts the clock."""
    checked = check_files(case.item, files)
    uploaded = {c.code for c in checked}
    still = [m.name for m in request.materials if m.code and m.code not in uploaded]
    if still:
        raise ValidationError(
            _("请上传以下补正材料：%(names)s。"),
            code="materials_missing",
            params={"names": "、".join(still)},
        )
    if not checked:
        raise ValidationError(_("请上传补正材料。"), code="materials_missing")
    with storing() as stored, transaction.atomic():
        result = acceptance.resubmit(
            actor=actor,
            case=case,
            provided=_electronic(checked),
            channel=IntakeChannel.ONLINE,
            person=person,
        )
        for c in checked:
            stored.save(case, c, purpose=UploadPurpose.SUPPLEMENT, user_id=actor.user_id)
    return result
