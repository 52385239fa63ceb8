"""Whether the applicant may apply at all (an item's conditions, not its materials): the
applicant's kind, age, key-population tags, life status, an organisation's registration.
Problems block acceptance (`applicant_not_eligible`); `precheck` lists them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bianmin.catalog.models import ApplicantKind, ServiceItem
from bianmin.registry.models import LifeStatus, Person
from bianmin.registry.models.organisations import OrganisationStatus

if TYPE_CHECKING:
    from bianmin.cases.services.precheck import Applicant


def check_applicant_kind(item: ServiceItem, applicant: Applicant) -> None:
    wanted = item.applicant_kind
    if wanted == ApplicantKind.BOTH or wanted == applicant.type:
        return
    raise ValidationError(
        _("事项“%(item)s”的服务对象为%(kind)s，申请人类型不符。"),
        code="applicant_kind_mismatch",
        params={"item": item.name, "kind": item.get_applicant_kind_display()},
    )


def eligibility_problems(item: ServiceItem, applicant: Applicant, today: dt.date) -> list[str]:
    problems: list[str] = []
    person, org = applicant.person, applicant.organisation
    if person is not None:
        if person.life_status == LifeStatus.DECEASED:
            problems.append(str(_("申请人在人口库中登记为死亡。")))
        if item.eligible_min_age is not None and person.age_on(today) < item.eligible_min_age:
            problems.append(
                str(_("申请人未满%(age)s周岁，不符合申请条件。") % {"age": item.eligible_min_age})
            )
        tags = list(item.eligible_tags.all())
        if tags and not _has_any_tag(person, tags, today):
            names = "、".join(t.name for t in tags)
            problems.append(str(_("申请人不属于适用人群（%(tags)s）。") % {"tags": names}))
    if org is not None and org.status != OrganisationStatus.ACTIVE:
        problems.append(
            str(_("申请单位登记状态为“%(status)s”。") % {"status": org.get_status_display()})
        )
    return problems


def _has_any_tag(person: Person, tags: list, today: dt.date) -> bool:
    age = person.age_on(today)
    for tag in tags:
        lower_ok = tag.min_age is None or age >= tag.min_age
        upper_ok = tag.max_age is None or age < tag.max_age
        if tag.derived and lower_ok and upper_ok:
            return True
    attached = {t.code for t in tags if not t.derived}
    return bool(attached) and person.tag_links.filter(tag_id__in=attached).exists()
