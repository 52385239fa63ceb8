"""Who holds the data of a shared item: `register(item_code, func)`.

A provider takes the person and returns the item's data as a dict of Chinese field label →
value, or None when the holder has no record for that person (not on 低保, alive …). Items
nobody on the platform holds yet (婚姻登记, 社保参保, 出生) have no provider: a fetch says so
and never makes data up. Other apps register theirs from `ready()` (the health app:
`health_summary`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bianmin.registry.models import LifeStatus, Person

Provider = Callable[[Person], dict[str, Any] | None]
_PROVIDERS: dict[str, Provider] = {}


def register(item_code: str, func: Provider) -> None:
    _PROVIDERS[item_code] = func


def provider_for(item_code: str) -> Provider | None:
    return _PROVIDERS.get(item_code)


def provided_codes() -> set[str]:
    return set(_PROVIDERS)


def id_card(person: Person) -> dict[str, Any]:
    # The number itself never leaves the registry unmasked.
    return {
        "姓名": person.name,
        "性别": person.get_sex_display(),
        "民族": person.ethnicity,
        "出生日期": person.birth_date.isoformat(),
        "公民身份号码": person.id_masked,
        "住址": person.registered_address or person.residence_address,
    }


def hukou(person: Person) -> dict[str, Any] | None:
    household = person.household
    if household is None:
        return None
    return {
        "户号": household.number,
        "户别": household.get_household_type_display(),
        "户主关系": person.get_relationship_display(),
        "户籍地址": person.registered_address or household.address,
        "同户人数": household.members.count(),
    }


def death(person: Person) -> dict[str, Any] | None:
    if person.life_status != LifeStatus.DECEASED:
        return None
    return {
        "人员状态": person.get_life_status_display(),
        "死亡日期": person.status_date.isoformat() if person.status_date else "",
        "信息来源": person.status_source,
    }


def _tagged(codes: tuple[str, ...]) -> Provider:
    def provide(person: Person) -> dict[str, Any] | None:
        links = list(
            person.tag_links.select_related("tag").filter(tag_id__in=codes).order_by("tag__sort")
        )
        if not links:
            return None
        since = min((link.since for link in links if link.since), default=None)
        return {
            "类别": "、".join(link.tag.name for link in links),
            "认定日期": since.isoformat() if since else "",
            "认定来源": "；".join(link.source for link in links if link.source),
        }

    return provide


def register_builtin() -> None:
    """What the registry already holds: 身份证 basic data, 户籍, 死亡, and the 低保/特困 and
    残疾 tags the civil-affairs and disabled persons' federation imports attach."""
    register("id_card", id_card)
    register("hukou", hukou)
    register("death", death)
    register("dibao", _tagged(("dibao", "tekun")))
    register("disability", _tagged(("disabled",)))
