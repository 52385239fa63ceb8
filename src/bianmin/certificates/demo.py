"""Demo certificates for `bianmin seed`: issuing authorities of the demo city, certificates for
the demo's approved cases, and certificates loaded as if from the departments' own systems —
残疾人证 for people tagged disabled, 老年人优待证 for some people of 60 and over, 营业执照 for
organisations, 居住证 for the floating population. A few are revoked; those past their date are
expired by the same job the worker runs."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from bianmin.certificates.from_cases import (
    data_from_registers,
    issue_for_case,
    registers_fill,
    type_for_item,
)
from bianmin.certificates.models import Certificate, CertificateSource, CertificateType, Issuer
from bianmin.certificates.services import expire_due, issue_certificate, issuer_for, revoke
from bianmin.core.audit import Actor
from bianmin.core.identifiers import make_credit_code
from bianmin.registry.models import (
    Department,
    Division,
    LifeStatus,
    Organisation,
    Person,
    ResidenceType,
)
from bianmin.registry.models.divisions import DivisionLevel

ACTOR = Actor(name="演示数据 demo")
SOURCE_SYSTEMS = {
    "CL": "残疾人两项补贴和证件管理系统",
    "MZ": "老年人优待证管理系统",
    "SCJG": "市场主体登记注册系统",
    "GA": "流动人口居住登记系统",
}
DISABILITY_KINDS = ["视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾"]
GRADES = ["一级", "二级", "三级", "四级"]


def org_code(rng: random.Random) -> str:
    """A nine-character organisation code (GB 11714: eight digits and its check character)."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    total = sum(int(c) * w for c, w in zip(body, [3, 7, 9, 10, 5, 8, 4, 2], strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def ensure_issuers(rng: random.Random) -> int:
    """One issuing authority per type department for the city and each of its districts that
    has people (机关: registrar 1, category 1)."""
    city = Division.objects.filter(level=DivisionLevel.CITY, code__startswith="4201").first()
    if city is None:
        return 0
    prefixes = {code[:6] for code in Person.unscoped.values_list("area_code", flat=True)[:50000]}
    districts = list(Division.objects.filter(level=DivisionLevel.COUNTY, code__in=prefixes))
    departments = Department.objects.filter(
        code__in=CertificateType.objects.values_list("department_id", flat=True)
    )
    made = 0
    for dept in departments:
        for division in [city, *districts]:
            if Issuer.objects.filter(department=dept, division=division).exists():
                continue
            name = (city.name if division == city else city.name + division.name) + dept.name
            Issuer.objects.create(
                credit_code=make_credit_code("11", division.code[:6], org_code(rng)),
                name=name,
                department=dept,
                division=division,
            )
            made += 1
    return made


def _load(rng, *, type_code, holder, dept, today, years_back, data) -> Certificate | None:
    issuer = issuer_for(department_code=dept, area_code=holder.area_code)
    if issuer is None:
        return None
    issued_on = today - dt.timedelta(days=rng.randint(20, 365 * years_back))
    if isinstance(holder, Person) and issued_on < holder.birth_date:
        issued_on = holder.birth_date
    return issue_certificate(
        actor=ACTOR,
        type_code=type_code,
        holder=holder,
        issuer=issuer,
        data=data,
        issued_on=issued_on,
        source=CertificateSource.EXCHANGE,
        source_system=SOURCE_SYSTEMS[dept],
    )


def applicant_fits(item, person: Person) -> bool:
    """For the cases demo (`core.demo.register_applicant_check`): a resident applying for an
    item that issues a personal certificate must have in the registers what the certificate
    needs (a 户号 for the 户口簿, the 残联's disability kind …) — else the approval would
    rightly warn that it issued nothing."""
    # Asked for every candidate: the item's type is looked up once per item object.
    if not hasattr(item, "_demo_certificate_type"):
        item._demo_certificate_type = type_for_item(item)
    ctype = item._demo_certificate_type
    if ctype is None or ctype.holder_kind != "person":
        return True  # nothing issued to the person (a licence goes to the business)
    return registers_fill(ctype, person, on=timezone.localdate())


def load_demo_registers(*, seed: int, log: Callable[[str], None], today=None) -> None:
    """The certificate library as the departments' own systems hold it, before any case is
    decided: the issuing authorities and the certificates loaded from the departments (a case
    approved afterwards issues from the authority of its area, and reads what the 残联 last
    certified)."""
    if Certificate.unscoped.filter(source=CertificateSource.EXCHANGE).exists():
        log("电子证照 certificates: 已有证照，未生成演示数据 / certificates exist, none added")
        return
    rng = random.Random(f"{seed}:certificates")
    today = today or timezone.localdate()
    issuers = ensure_issuers(rng)
    alive = Person.unscoped.filter(life_status=LifeStatus.ALIVE)
    loaded: list[Certificate] = []
    disability = CertificateType.objects.get(pk="disability_card")
    for person in alive.filter(tag_links__tag_id="disabled").order_by("id")[:400]:
        data = {
            "disability_kind": rng.choice(DISABILITY_KINDS),
            "disability_grade": rng.choice(GRADES),
        }
        cert = _load(
            rng,
            type_code=disability.code,
            holder=person,
            dept="CL",
            today=today,
            years_back=9,
            data=data,
        )
        loaded.append(cert)
    sixty = today.replace(year=today.year - 60)
    elders = list(alive.filter(birth_date__lte=sixty).order_by("id")[:3000])
    for person in rng.sample(elders, min(len(elders), 400)):
        elderly = CertificateType.objects.get(pk="elderly_card")
        loaded.append(
            _load(
                rng,
                type_code="elderly_card",
                holder=person,
                dept="MZ",
                today=today,
                years_back=5,
                data=data_from_registers(elderly, person, on=today),
            )
        )
    for person in alive.filter(residence_type=ResidenceType.FLOATING).order_by("id")[:300]:
        permit = CertificateType.objects.get(pk="residence_permit")
        loaded.append(
            _load(
                rng,
                type_code="residence_permit",
                holder=person,
                dept="GA",
                today=today,
                years_back=2,
                data=data_from_registers(permit, person, on=today),
            )
        )
    license_type = CertificateType.objects.get(pk="business_license")
    for org in Organisation.unscoped.select_related("legal_rep").order_by("id")[:500]:
        data = data_from_registers(license_type, org, on=today)
        if not {"entity_type", "legal_rep", "established", "address"} <= set(data):
            continue
        data["business_scope"] = "一般项目：" + rng.choice(
            [
                "日用百货销售",
                "餐饮服务",
                "家政服务",
                "技术服务、技术开发",
                "食品销售（仅销售预包装食品）",
            ]
        )
        loaded.append(
            _load(
                rng,
                type_code="business_license",
                holder=org,
                dept="SCJG",
                today=today,
                years_back=1,
                data=data,
            )
        )
    loaded = [c for c in loaded if c is not None]
    for cert in rng.sample(loaded, min(len(loaded), 8)):
        revoke(actor=ACTOR, certificate=cert, reason="持证人申请注销")
    expired = expire_due(actor=ACTOR, today=today)
    log(
        f"电子证照 certificates: 发证机构 {issuers} 个，"
        f"部门归集 {len(loaded)} 本（注销 {min(len(loaded), 8)}，过期 {expired}）"
    )


def load_demo_certificates(*, seed: int, log: Callable[[str], None], today=None) -> None:
    """After the cases: the library (when `load_demo_registers` has not run, e.g. this loader
    alone), then the certificate of any approved case decided before its issuing authority was
    registered — as a clerk would issue it at the window."""
    if not Certificate.unscoped.filter(source=CertificateSource.EXCHANGE).exists():
        load_demo_registers(seed=seed, log=log, today=today)
    from bianmin.cases.models import Case, Decision

    issued = 0
    pending = (
        Case.unscoped.filter(decision=Decision.APPROVED)
        .exclude(pk__in=Certificate.unscoped.filter(case__isnull=False).values("case_id"))
        .select_related("item", "applicant_person", "applicant_org")
    )
    for case in pending:
        if type_for_item(case.item) is None:
            continue
        if issue_for_case(case=case, actor=ACTOR, at=case.decided_at or timezone.now()):
            issued += 1
    total = Certificate.unscoped.filter(source=CertificateSource.CASE).count()
    log(f"电子证照 certificates: 办件签发 {total} 本（其中补发 {issued} 本）")
