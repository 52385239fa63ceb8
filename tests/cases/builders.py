"""Service items for case tests, shaped like real 事项实施清单 entries."""

from __future__ import annotations

from bianmin.catalog.models import Bundle, Material, ProcessStep, ServiceItem

# (code, name, form, requirement, essential, shared_source, condition)
ELDERLY_MATERIALS = [
    ("id_card", "居民身份证", "original", "mandatory", True, "id_card", ""),
    ("hukou", "居民户口簿", "original", "mandatory", True, "", ""),
    ("photo", "近期免冠一寸照片", "original", "mandatory", False, "", ""),
    ("bank_card", "本人银行卡（存折）", "copy", "mandatory", False, "", ""),
    ("guardian", "监护关系证明", "original", "conditional", True, "", "由监护人代为申请的"),
    ("residence", "居住证明", "copy", "optional", False, "", ""),
]


def item(
    code: str,
    *,
    name: str = "高龄津贴申领",
    department: str = "MZ",
    promised: int = 5,
    statutory: int = 20,
    levels: tuple[str, ...] = ("town", "district", "village"),
    allows_deficiency: bool = True,
    online: bool = True,
    max_visits: int = 1,
    applicant_kind: str = "person",
    materials=ELDERLY_MATERIALS,
    reviews: tuple[tuple[str, int], ...] = (("MZ", 1),),
    decide_by: str | None = None,
    **extra,
) -> ServiceItem:
    """An item with its materials and steps: `reviews` = (department, parallel group) each."""
    service = ServiceItem.objects.create(
        code=code,
        name=name,
        item_type=extra.pop("item_type", "benefit"),
        applicant_kind=applicant_kind,
        legal_basis="《湖北省老年人权益保障条例》",
        department_id=department,
        accept_levels=list(levels),
        statutory_limit_days=statutory,
        promised_limit_days=promised,
        online=online,
        max_visits=max_visits,
        allows_deficiency=allows_deficiency,
        place="大智街道便民服务中心",
        consult_phone="027-82801234",
        **extra,
    )
    for seq, (mcode, mname, form, req, essential, shared, cond) in enumerate(materials, 1):
        Material.objects.create(
            item=service,
            seq=seq,
            code=mcode,
            name=mname,
            form=form,
            requirement=req,
            essential=essential,
            shared_source=shared,
            condition=cond,
        )
    seq = 1
    ProcessStep.objects.create(
        item=service, seq=seq, name="受理", kind="accept", department_id="ZW", parallel_group=0
    )
    for dept, group in reviews:
        seq += 1
        ProcessStep.objects.create(
            item=service,
            seq=seq,
            name=f"{dept}审查",
            kind="review",
            department_id=dept,
            parallel_group=group,
            limit_days=3,
        )
    ProcessStep.objects.create(
        item=service,
        seq=seq + 1,
        name="决定",
        kind="decide",
        department_id=decide_by or department,
        parallel_group=99,
    )
    return service


def bundle(code: str, items: list[ServiceItem], name: str = "新生儿出生一件事") -> Bundle:
    return Bundle.objects.create(code=code, name=name, item_codes=[i.code for i in items])


COMPLETE = ["hukou", "photo", "bank_card"]


def taken_in(clerk, item: ServiceItem, person, *, reviewer=None):
    """A complete application for `person` taken in at `clerk`'s window (accepted), and with
    `reviewer` given: every review approved, the case waiting for its decision."""
    from bianmin.cases.services import handling, intake
    from bianmin.cases.services.precheck import Applicant
    from bianmin.registry.access import actor_for

    case = intake.take_in(
        actor=actor_for(clerk),
        item=item,
        applicant=Applicant(person=person),
        provided=COMPLETE,
        channel="window",
    ).case
    if reviewer is not None:
        for review in case.reviews.all():
            handling.act_on_review(actor=actor_for(reviewer), review=review, decision="approve")
    return case
