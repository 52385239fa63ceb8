"""Demo residents for `bianmin seed`: portal accounts (the demo password) for a few people of
the demo city — a household head of 保成社区, an old resident of 大智街道 and a company's legal
representative — each with something to see on the portal: a 高龄津贴 case taken in at the
大智街道 window and carried to delivery (to rate), and an online application returned for
补正 (to supplement). All through the services; a database that has resident accounts already
is left alone, so it runs again safely."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from bianmin.cases.demo_acts import plausible_result
from bianmin.cases.services import acceptance, handling, intake
from bianmin.cases.services.precheck import Applicant
from bianmin.catalog.models import MaterialRequirement, ServiceItem
from bianmin.core.audit import Actor
from bianmin.portal.models import ResidentAccount
from bianmin.portal.services.accounts import open_account, resident_actor
from bianmin.registry.access import actor_for
from bianmin.registry.demo.staff import BAOCHENG, DAZHI, DEMO_PASSWORD
from bianmin.registry.models import LifeStatus, Organisation, Person, Relationship

LOADER = Actor(name="bianmin seed")
CLERK, REVIEWER = "ck_dazhi", "mz_jiangan"
ELDERLY_ITEM, ONLINE_ITEM = "MZ-004", "MZ-003"  # 高龄津贴申领, 临时救助申请


@dataclass(frozen=True)
class ResidentLogin:
    phone: str
    name: str
    area: str
    hint: str


def _free(people, taken: set[str]) -> Person | None:
    for person in people:
        if person.phone and person.phone not in taken:
            return person
    return None


def _choose() -> list[tuple[Person, str]]:
    """(person, kind), each with a phone no other account uses: a household head of 保成社区
    (an online application returned for 补正), the oldest resident of 大智街道 aged 80 or more
    (a 高龄津贴 case delivered, to rate), a legal representative (applies for the company)."""
    taken = set(ResidentAccount.objects.exclude(phone=None).values_list("phone", flat=True))
    alive = Person.unscoped.filter(life_status=LifeStatus.ALIVE).exclude(phone="")
    chosen: list[tuple[Person, str]] = []
    head = _free(
        alive.filter(residence_division_id=BAOCHENG, relationship=Relationship.HEAD).order_by("pk"),
        taken,
    )
    if head is not None:
        chosen.append((head, "head"))
        taken.add(head.phone)
    eighty = timezone.localdate().replace(year=timezone.localdate().year - 80)
    old = _free(
        alive.filter(area_code__startswith=DAZHI[:9], birth_date__lte=eighty).order_by(
            "birth_date", "pk"
        ),
        taken,
    )
    if old is not None:
        chosen.append((old, "elderly"))
        taken.add(old.phone)
    reps = Person.unscoped.filter(
        pk__in=Organisation.unscoped.filter(legal_rep__isnull=False).values("legal_rep_id")
    )
    rep = _free(alive.filter(pk__in=reps.values("pk")).order_by("pk"), taken)
    if rep is not None:
        chosen.append((rep, "representative"))
    return chosen


def _materials(item: ServiceItem, *, leave_out: int = 0) -> list[str]:
    needed = [
        m.code
        for m in item.materials.all()
        if not m.shared_source and m.requirement == MaterialRequirement.MANDATORY
    ]
    return needed[: len(needed) - leave_out] if leave_out else needed


def _staff_actor(username: str) -> Actor | None:
    user = get_user_model().objects.filter(username=username).first()
    return actor_for(user) if user is not None else None


def _delivered_case(person: Person) -> None:
    clerk, reviewer = _staff_actor(CLERK), _staff_actor(REVIEWER)
    if clerk is None or reviewer is None:
        return
    item = intake.resolve_item(ELDERLY_ITEM)
    case = intake.take_in(
        actor=clerk,
        item=item,
        applicant=Applicant(person=person),
        provided=_materials(item),
        channel="window",
    ).case
    for review in case.reviews.order_by("parallel_group", "seq"):
        review.refresh_from_db()
        if review.status == "open":
            handling.act_on_review(actor=reviewer, review=review, decision="approve")
    handling.decide(
        actor=reviewer, case=case, approve=True, result=plausible_result(case, random.Random(0))
    )
    handling.deliver(actor=clerk, case=case, method="window")


def _returned_online(person: Person, account: ResidentAccount) -> None:
    clerk = _staff_actor(CLERK)
    if clerk is None:
        return
    item = intake.resolve_item(ONLINE_ITEM)
    case = intake.submit_online(
        actor=resident_actor(person, account.user_id, None),
        item=item,
        applicant=Applicant(person=person),
        provided=[{"code": c, "form": "electronic"} for c in _materials(item, leave_out=1)],
    ).case
    acceptance.return_for_supplement(
        actor=clerk, case=case, reason="请补充近三个月家庭收入变化的情况说明"
    )


def load_demo_portal(*, log: Callable[[str], None] | None = None) -> list[ResidentAccount]:
    opened: list[ResidentAccount] = []
    if ResidentAccount.objects.exists():
        if log is not None:
            log("网上办事大厅 portal: 已有居民账号，未改动 / resident accounts exist, nothing done")
        return opened
    for person, kind in _choose():
        account = open_account(
            person=person, phone=person.phone, provider="phone_password", password=DEMO_PASSWORD
        )
        opened.append(account)
        try:
            with transaction.atomic():
                if kind == "elderly":
                    _delivered_case(person)
                elif kind == "head":
                    _returned_online(person, account)
        except (ValidationError, PermissionDenied) as e:
            # Another demo catalogue or other demo staff: the account stays, without a case.
            if log is not None:
                log(f"网上办事大厅 portal: {person.name} 的演示办件未生成（{e}）")
    if log is not None:
        log(f"网上办事大厅 portal: {len(opened)} 个居民账号（密码同工作人员演示账号）")
    return opened


def resident_logins(limit: int = 10) -> list[ResidentLogin]:
    """Resident accounts to print with the demo logins (demo data: the phone in full)."""
    rows = []
    accounts = ResidentAccount.objects.select_related(
        "person__residence_division", "person__household"
    ).exclude(phone=None)
    for account in accounts.order_by("pk")[:limit]:
        person = account.person
        area = person.residence_division.name if person.residence_division else ""
        org = Organisation.unscoped.filter(legal_rep=person).values_list("name", flat=True).first()
        if org:
            hint = f"{org} 法定代表人"
        elif person.age >= 80:
            hint = f"{person.age}岁，有待评价的办件"
        elif person.relationship == Relationship.HEAD:
            hint = "户主，有待补正的网上申报"
        else:
            hint = f"{person.age}岁"
        rows.append(ResidentLogin(account.phone, person.name, area, hint))
    return rows
