"""Division / org-unit tree: from the user's area down to the grids, with the number of
people and households under each node.

Counts come from one grouped query per register: every area code under the node is cut to
the length of the child level's prefix (city 4 → district 6 → street 9 → community 12 →
grid 14) and grouped, so a node with 200 children costs the same as one with 2.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bianmin.core.errors import OutOfScope
from bianmin.registry.models import Division, DivisionLevel, Grid, Household, OrgUnit, Person
from bianmin.registry.models.divisions import PREFIX_LENGTH
from bianmin.workbench.common import staff_required
from bianmin.workbench.views import my_area

GRID_CODE_LENGTH = 14


def counts_by_prefix(qs: QuerySet, field: str, length: int) -> dict[str, int]:
    """{child prefix: rows} for the rows of `qs`, in one GROUP BY query."""
    rows = (
        qs.order_by()  # a default ordering would otherwise join the GROUP BY
        .annotate(key=Substr(field, 1, length))
        .values("key")
        .annotate(n=Count("pk"))
        .values_list("key", "n")
    )
    return dict(rows)


@staff_required
def division_tree(request: HttpRequest, code: str | None = None) -> HttpResponse:
    root = my_area(request)
    node = Division.objects.filter(code=code).first() if code else root
    if node is None:
        raise Http404(_("没有该行政区划。"))
    if not request.scope.covers(node.prefix):
        raise OutOfScope(_("该区划不在您的管辖范围内。"))
    # Breadcrumb from my own area down to this node, in one query.
    top = len(root.prefix) if root is not None and request.scope.area_prefix else 0
    lengths = [n for n in PREFIX_LENGTH.values() if top <= n <= len(node.prefix)]
    trail = list(Division.objects.filter(prefix__in=[node.prefix[:n] for n in lengths]))
    trail.sort(key=lambda d: len(d.prefix))

    if node.level < DivisionLevel.VILLAGE:
        length = PREFIX_LENGTH[node.level + 1]
        children = [(d.prefix, d) for d in Division.objects.filter(parent=node)]
    else:
        length = GRID_CODE_LENGTH
        children = [(g.code, g) for g in Grid.objects.filter(community=node)]

    people_qs = Person.objects.filter(area_code__startswith=node.prefix)
    household_qs = Household.objects.filter(area_code__startswith=node.prefix)
    people = counts_by_prefix(people_qs, "area_code", length)
    households = counts_by_prefix(household_qs, "area_code", length)
    units = counts_by_prefix(
        OrgUnit.objects.filter(division__prefix__startswith=node.prefix),
        "division__prefix",
        length,
    )
    rows = [
        {
            "key": key,
            "node": child,
            "people": people.get(key, 0),
            "households": households.get(key, 0),
            "units": units.get(key, 0),
        }
        for key, child in children
    ]
    context = {
        "node": node,
        "trail": trail,
        "rows": rows,
        "is_community": node.level == DivisionLevel.VILLAGE,
        # Records managed at this node itself, not yet placed in a child (e.g. no grid).
        "unplaced_people": sum(n for k, n in people.items() if len(k) < length),
        "total_people": sum(people.values()),
        "total_households": sum(households.values()),
        "org_units": list(
            OrgUnit.objects.filter(division=node)
            .select_related("department")
            .annotate(staff_count=Count("staff"))
        ),
    }
    return render(request, "workbench/divisions/tree.html", context)
