"""Shared pieces of the demo catalogue: the materials most items ask for, where and when the
centres receive applications, and the hotlines."""

from __future__ import annotations

from typing import Any

HOURS = "工作日 上午 9:00—12:00，下午 13:30—17:00（法定节假日除外）"
COMPLAINT = "12345（市民服务热线）"
# Real national hotlines of the departments, with the city's 12345 as the common one.
HOTLINES = {
    "RS": "12333；12345",
    "MZ": "12345",
    "YB": "12393；12345",
    "WJ": "12320；12345",
    "SCJG": "12315；12345",
    "CL": "12385；12345",
    "GA": "12345",
    "TYJR": "12345",
}
_PLACES = {
    "city": "市民之家（市政务服务中心）综合受理窗口",
    "district": "各区政务服务中心综合受理窗口",
    "town": "街道（乡镇）便民服务中心综合窗口",
    "village": "村（社区）便民服务室（代办员全程代办）",
}


def place_for(levels: list[str]) -> str:
    return "；".join(_PLACES[level] for level in levels)


def item(
    *,
    department: str,
    accept_levels: list[str],
    materials: list[dict[str, Any]],
    steps: list[dict[str, Any]],
    **fields: Any,
) -> dict[str, Any]:
    """One demo item with the usual place, hours and phones filled in from its department."""
    return {
        "department": department,
        "accept_levels": accept_levels,
        "place": place_for(accept_levels),
        "hours": HOURS,
        "consult_phone": HOTLINES[department],
        "complaint_phone": COMPLAINT,
        "materials": materials,
        "steps": steps,
        **fields,
    }


def step(name: str, department: str, group: int, days: int, kind: str = "review") -> dict:
    return {
        "name": name,
        "kind": kind,
        "department": department,
        "parallel_group": group,
        "limit_days": days,
    }


def material(code: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "name": name, **extra}


def id_card(name: str = "申请人居民身份证", **extra: Any) -> dict[str, Any]:
    return material(
        "id-card",
        name,
        form="original",
        shared_source="id_card",
        source_note="公安机关",
        common_mistakes="证件已过有效期；临时身份证已过期。",
        **extra,
    )


def hukou(**extra: Any) -> dict[str, Any]:
    return material(
        "hukou",
        "居民户口簿",
        form="original",
        shared_source="hukou",
        source_note="公安机关",
        common_mistakes="户口簿信息与身份证不一致（如已迁出未注销）。",
        **extra,
    )


def marriage(condition: str, **extra: Any) -> dict[str, Any]:
    return material(
        "marriage",
        "结婚证或离婚证",
        form="original",
        requirement="conditional",
        condition=condition,
        shared_source="marriage",
        source_note="民政部门婚姻登记机关",
        **extra,
    )


def bank_account() -> dict[str, Any]:
    return material(
        "bank-account",
        "社会保障卡或本人银行账户",
        form="copy",
        essential=False,
        sample="写明开户行全称和账号，须为申请人本人账户。",
        common_mistakes="提供他人账户；账户已销户或被冻结。",
    )


def photo(copies: int = 1, spec: str = "近期一寸免冠白底彩色照片") -> dict[str, Any]:
    return material(
        "photo",
        spec,
        form="original",
        copies=copies,
        essential=False,
        source_note="可现场采集或网上上传电子照片",
        common_mistakes="非近期照片；戴帽、戴有色眼镜；背景不是白色。",
    )


def proxy() -> dict[str, Any]:
    return material(
        "proxy",
        "授权委托书及受托人身份证",
        form="original",
        requirement="conditional",
        condition="委托他人（含村（社区）代办员）办理的",
        essential=False,
    )
