from __future__ import annotations

import pytest

from bianmin.core import lifecycle
from bianmin.programs.demo import load_demo_programs
from bianmin.programs.models import Enrolment, Program, Visit
from bianmin.registry.services.people import tag_person
from tests import factories
from tests.conftest import BAOCHENG
from tests.programs.conftest import SYSTEM, years_ago

pytestmark = pytest.mark.django_db


def test_demo_builds_non_health_programs_with_histories():
    grid = factories.grid(BAOCHENG, 1)
    worker = factories.staff("wg_baocheng01", role="grid", division=BAOCHENG)
    grid.workers.add(worker)
    elders = []
    for i, name in enumerate(["陈桂英", "刘德明", "黄秀兰"]):
        p = factories.person(community=BAOCHENG, name=name, birth=years_ago(75 + i), grid=grid.code)
        tag_person(actor=SYSTEM, person=p, tag_code="left-behind-elder")
        elders.append(p)
    poor = factories.person(community=BAOCHENG, name="赵国强", birth=years_ago(50), grid=grid.code)
    tag_person(actor=SYSTEM, person=poor, tag_code="dibao")
    logged: list[str] = []
    load_demo_programs(seed=7, log=logged.append)
    assert set(Program.objects.values_list("sector", flat=True)) == {"elderly", "assistance"}
    assert Enrolment.objects.filter(program__code="elderly-alone-visit").count() == 3
    assert Enrolment.objects.filter(program__code="hardship-household-visit").count() == 1
    # About a year of monthly visits each, by the grid's worker, validated by the form.
    per_elder = Visit.objects.filter(enrolment__program__code="elderly-alone-visit").count() / 3
    assert 9 <= per_elder <= 14
    v = Visit.objects.filter(enrolment__program__code="elderly-alone-visit").first()
    assert v.performer.user_id == worker.pk and v.data["living"] in ("alone", "couple", "carer")
    assert all(e.next_due_on for e in Enrolment.objects.all())
    assert lifecycle.run_checks(["programs.follow_ups"]) == []
    assert "enrolled" in logged[0]
    # Seeding again adds nothing.
    before = Visit.objects.count()
    load_demo_programs(seed=7, log=logged.append)
    assert Visit.objects.count() == before
