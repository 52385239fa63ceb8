"""容缺受理: the applicant's written pledge to bring non-essential materials by a date, and the
rule for when one may stand in for them. (Fulfilment is `acceptance.fulfil_pledge`.)"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bianmin.cases.services.common import today
from bianmin.cases.services.precheck import Precheck


@dataclass(frozen=True)
class PledgeInput:
    """The applicant's written pledge (承诺书): these materials by this date."""

    materials: tuple[str, ...]
    due_date: dt.date

    def only(self, checked: Precheck) -> PledgeInput:
        missing = {c.code for c in checked.missing}
        return PledgeInput(tuple(c for c in self.materials if c in missing), self.due_date)


def _pledge_error(message, code: str, **params) -> ValidationError:
    return ValidationError({"pledge": ValidationError(message, code=code, params=params)})


def validate_pledge(
    checked: Precheck, pledge: PledgeInput, *, partial: bool = False, day: dt.date | None = None
) -> None:
    """A pledge must cover exactly the missing materials, all non-essential, of an item that
    allows 容缺受理, by a date after today (`day`). `partial`: the pledge may also name
    materials of other items (a bundle)."""
    missing = {c.code: c for c in checked.missing}
    if not missing:
        return
    if not checked.item.allows_deficiency:
        raise _pledge_error(
            _("事项“%(item)s”不实行容缺受理。"), "deficiency_not_allowed", item=checked.item.name
        )
    essential = [c.name for c in missing.values() if c.essential]
    if essential:
        raise _pledge_error(
            _("关键材料缺失，不能容缺受理：%(names)s。"),
            "essential_material_missing",
            names="、".join(essential),
        )
    uncovered = [c.name for code, c in missing.items() if code not in pledge.materials]
    extra = [] if partial else [c for c in pledge.materials if c not in missing]
    if uncovered or extra:
        raise _pledge_error(
            _("承诺书所列材料应与缺少的材料一致（缺少：%(names)s）。"),
            "pledge_materials_mismatch",
            names="、".join(c.name for c in missing.values()),
        )
    if pledge.due_date <= (day or today()):
        raise _pledge_error(_("承诺补交日期应晚于今天。"), "pledge_due_in_past")
