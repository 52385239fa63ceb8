"""Who sees health data: the health team (卫健 staff) of the resident's area, nobody else.

The general scope cuts rows to the user's division prefix; health records also need the user
to belong to the health department, because a window clerk of the same street shares the area
but not the right to read a diagnosis (seed 002: 健康档案管理和服务人员 may use the records;
anyone else needs a written request and the resident's consent — the sharing app).
"""

from __future__ import annotations

from django.db.models import Q

from bianmin.core.scope import Scope

HEALTH_DEPARTMENT = "WJ"


def is_health_team(scope: Scope) -> bool:
    return scope.area_prefix == "" or scope.department_code == HEALTH_DEPARTMENT


def area_q(scope: Scope, field: str) -> Q:
    if scope.area_prefix is None or not is_health_team(scope):
        return Q(pk__in=[])
    if scope.area_prefix == "":
        return Q()
    return Q(**{f"{field}__startswith": scope.area_prefix})
