"""The demo cases `bianmin seed` writes: a realistic mix of six weeks' work, written through the
services (due dates, history and counts agree with them), visible to the right people, and
written once.

The demo city (400 people) and its cases are built once for the class, in a transaction
rolled back when the class is done.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from bianmin.cases import queries
from bianmin.cases.demo import load_demo_cases
from bianmin.cases.models import (
    CLOCK_STATES,
    BundleApplication,
    Case,
    CaseEvent,
    CaseStatus,
    Extension,
    ExtensionStatus,
    PauseKind,
    StaffAbsence,
)
from bianmin.cases.services.clock import refresh_due
from bianmin.catalog.demo import load_demo_catalog
from bianmin.core import demo as core_demo
from bianmin.core.scope import acting_in
from bianmin.registry.access import scope_for
from bianmin.registry.demo.city import build_demo_city
from bianmin.registry.models import Staff
from tests.conftest import JIANGAN

SEED = 11


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        build_demo_city(people=400, seed=SEED, districts=None, today=timezone.localdate())
        # As `bianmin seed`: what the cases rely on (issuing authorities, the certificate
        # library the applicants are chosen against) comes before the catalogue and cases.
        core_demo.run_all(seed=SEED, log=lambda line: None, stage=core_demo.CITY)
        load_demo_catalog()
        lines: list[str] = []
        counts = load_demo_cases(seed=SEED, log=lines.append)
        yield counts, lines
        transaction.set_rollback(True)


@pytest.fixture
def built(demo, db):
    return demo


def _staff(username: str) -> Staff:
    return Staff.objects.select_related("user", "org_unit__division").get(user__username=username)


class TestDemoCases:
    def test_a_realistic_mix_of_six_weeks(self, built):
        counts, lines = built
        statuses = Counter(Case.unscoped.values_list("status", flat=True))
        total = sum(statuses.values())
        assert counts["skipped"] == 0 and 140 <= total <= 160
        assert 0.45 <= statuses[CaseStatus.CLOSED] / total <= 0.6
        assert statuses[CaseStatus.IN_REVIEW] >= 25
        assert statuses[CaseStatus.RETURNED] >= 5
        assert statuses[CaseStatus.SUBMITTED] == 6  # online, waiting for a precheck
        assert statuses[CaseStatus.DELIVERED] >= 3 and statuses[CaseStatus.DECIDED] >= 2
        assert statuses[CaseStatus.NOT_ACCEPTED] == 2 and statuses[CaseStatus.TERMINATED] == 1
        assert "办件 cases: " in lines[-1]

    def test_across_the_centres_and_channels(self, built):
        centres = set(Case.unscoped.values_list("org_unit_id", flat=True))
        assert {
            "ZWZX-420100",
            "ZWZX-420102",
            "ZWZX-420103",
            "BMZX-420102002000",
            "BMZX-420103001000",
            "BMS-420102002003",
            "BMS-420116001205",
        } <= centres
        channels = Counter(Case.unscoped.values_list("channel", flat=True))
        assert channels["window"] > channels["online"] > channels["agent"] > 0
        assert Case.unscoped.filter(applicant_org__isnull=False).exists()
        assert Case.unscoped.values("item").distinct().count() >= 15
        # Six weeks, nothing in the future.
        first = Case.unscoped.order_by("submitted_at").first().submitted_at
        assert timezone.localdate(first) >= timezone.localdate() - dt.timedelta(weeks=6)
        assert not CaseEvent.objects.filter(at__gt=timezone.now()).exists()

    def test_the_clock_is_what_the_services_make_it(self, built):
        today = timezone.localdate()
        running = list(Case.unscoped.filter(status__in=CLOCK_STATES, due_date__isnull=False))
        levels = Counter(c.warning_level for c in running)
        assert levels["yellow"] >= 3 and levels["red"] >= 3 and levels["green"] > levels["red"]
        for case in running:
            due = case.due_date
            refresh_due(case)
            assert case.due_date == due  # accepted_on + promised + paused + extended
        closed = Case.unscoped.filter(status=CaseStatus.CLOSED)
        late = [c for c in closed if c.due_date and c.closed_on > c.due_date]
        assert 3 <= len(late) <= len(closed) // 5
        assert all(c.closed_on <= today for c in closed)
        # Events in order: acceptance before decision before closure, on working days' dates.
        for case in closed.order_by("pk")[:20]:
            actions = list(case.events.order_by("at", "id").values_list("action", flat=True))
            assert actions.index("accepted") < actions.index("decided") < actions.index("closed")

    def test_what_supervision_has_to_chase(self, built):
        today = timezone.localdate()
        assert queries.pledges_overdue(today).count() == 1
        assert BundleApplication.objects.filter(bundle__code="LB-CANYIN").count() == 2
        bundled = Case.unscoped.filter(bundle_application__isnull=False)
        assert set(bundled.values_list("item__code", flat=True)) == {"SCJG-001", "SCJG-002"}
        running = Case.unscoped.filter(paused_since__isnull=False, pauses__ended_on__isnull=True)
        assert running.filter(pauses__kind=PauseKind.PUBLIC_NOTICE).count() == 2
        assert Case.unscoped.filter(pauses__kind=PauseKind.PUBLIC_NOTICE).count() == 3
        pending = Extension.objects.filter(status=ExtensionStatus.PENDING)
        assert pending.count() == 2 and not pending.filter(approver__isnull=False).exists()
        assert Extension.objects.filter(status=ExtensionStatus.APPROVED).count() == 1
        over = queries.cases_over_max_visits()
        assert over.filter(visits__purpose="补交原件核验").distinct().count() == 3
        assert queries.awaiting_precheck().count() == 6

    def test_a_named_reviewer_sees_her_district_and_department_only(self, built):
        mz = _staff("mz_jiangan")
        today = timezone.localdate()
        with acting_in(scope_for(mz.user)):
            visible = list(Case.objects.select_related("item"))
            mine = list(queries.my_reviews(mz, on=today))
        assert len(visible) >= 10
        for case in visible:
            in_area = case.area_code.startswith(JIANGAN) or case.applicant_area_code.startswith(
                JIANGAN
            )
            handled = (
                case.item.department_id == "MZ" or case.reviews.filter(department_id="MZ").exists()
            )
            assert in_area and handled
        assert Case.unscoped.count() > len(visible)
        # Her own named reviews, the unassigned 民政 ones, and — B岗 — her colleague's on leave.
        away = _staff("mz_jiangan_b")
        assert StaffAbsence.objects.filter(staff=away, start__lte=today, end__gte=today).exists()
        assignees = Counter(r.assignee_id for r in mine)
        assert assignees[mz.pk] == 3 and assignees[away.pk] == 1 and assignees[None] >= 3
        with acting_in(scope_for(away.user)):
            assert queries.my_reviews(away, on=today).filter(assignee=away).count() == 1
        named = [r.case_id for r in mine if r.assignee_id]
        with acting_in(scope_for(_staff("mz_jianghan").user)):
            assert not Case.objects.filter(pk__in=named).exists()

    def test_written_once(self, built):
        before = Case.unscoped.count()
        lines: list[str] = []
        assert load_demo_cases(seed=SEED, log=lines.append) == {}
        assert "已有办件" in lines[0]
        out = StringIO()
        call_command("seed", people=50, if_empty=True, stdout=out)
        assert "未做任何改动" in out.getvalue()
        assert Case.unscoped.count() == before
