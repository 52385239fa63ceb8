"""差评整改: verify → rectify → answer → feedback, in order; overdue; the answer reaches the
applicant; an unsatisfied applicant gets a second round, then the city supervisors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bianmin.core.audit import Actor
from bianmin.core.errors import OutOfScope
from bianmin.core.scope import DENY_ALL, acting_in
from bianmin.evaluation import queries
from bianmin.evaluation.models import RectificationTask
from bianmin.evaluation.services import (
    answer_task,
    rate_case,
    rectify_task,
    resolve_task,
    task_feedback,
    verify_task,
)
from bianmin.notifications.models import OutboxMessage
from bianmin.registry.access import scope_for
from tests import factories
from tests.cases.conftest import as_actor
from tests.conftest import DAZHI_STREET

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(clock, closed_case, dazhi_clerk, resident) -> RectificationTask:
    """A 非常不满意 of 2026-09-30 on 王秀英's case, accepted and delivered by dazhi_clerk."""
    clock.set(dt.date(2026, 9, 30))
    rating = rate_case(
        actor=as_actor(dazhi_clerk),
        case=closed_case,
        level=1,
        channel="window_device",
        comment="材料齐全却让我跑了两趟",
        id_number=resident.id_number_for_test,
    )
    return rating.task


@pytest.fixture
def manager(db):
    """The 大智街道 centre's duty manager, who works the centre's bad reviews."""
    return factories.staff("dazhi_manager", role="clerk", division=DAZHI_STREET)


def refused(call) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value


def through_answer(task, actor, *, answer="经核实，已对窗口人员批评教育并改进一次性告知") -> None:
    verify_task(actor=actor, task=task, founded=True, notes="调取窗口录像，情况属实")
    rectify_task(actor=actor, task=task, notes="窗口人员重新学习一次性告知制度")
    answer_task(actor=actor, task=task, answer=answer)


class TestStages:
    def test_the_stages_go_in_order(self, task, manager):
        actor = as_actor(manager)
        # Rectifying or answering before verifying is refused.
        e = refused(lambda: rectify_task(actor=actor, task=task, notes="先整改"))
        assert e.code == "invalid_transition"
        assert e.messages == [f"{task}当前为“待核实”，不能整改。"]
        e = refused(lambda: answer_task(actor=actor, task=task, answer="已处理"))
        assert e.code == "invalid_transition"
        verify_task(actor=actor, task=task, founded=True, notes="电话回访申请人，情况属实")
        assert refused(lambda: verify_task(actor=actor, task=task, founded=True, notes="再核实"))
        rectify_task(actor=actor, task=task, notes="对窗口人员批评教育，重新培训")
        answer_task(actor=actor, task=task, answer="已对窗口人员批评教育并加强培训")
        task.refresh_from_db()
        assert task.status == "feedback" and task.answered_at is not None
        assert [s.action for s in task.steps.all()] == ["opened", "verified", "acted", "answered"]
        assert [s.actor_name for s in task.steps.all()][1:] == ["dazhi_manager"] * 3

    def test_notes_are_required(self, task, manager):
        e = refused(lambda: verify_task(actor=as_actor(manager), task=task, founded=True, notes=""))
        assert e.error_dict["notes"][0].code == "notes_required"

    def test_an_unfounded_review_is_answered_without_rectification(self, task, manager):
        actor = as_actor(manager)
        verify_task(actor=actor, task=task, founded=False, notes="经查，申请人反映的是区政务中心")
        task.refresh_from_db()
        assert task.status == "answer" and task.founded is False
        answer_task(actor=actor, task=task, answer="经核实，您反映的情况发生在区政务服务中心")
        task.refresh_from_db()
        assert task.status == "feedback"

    def test_the_answer_is_queued_to_the_applicant(self, task, manager, resident):
        through_answer(task, as_actor(manager), answer="已对窗口人员批评教育")
        message = OutboxMessage.objects.get(dedupe_key=f"rectification:{task.pk}:answer:1")
        assert message.recipient_person_id == resident.pk and message.channel == "sms"
        assert "处理情况如下：已对窗口人员批评教育" in message.body
        assert message.related_type == "case"

    def test_satisfied_closes_it(self, task, manager):
        through_answer(task, as_actor(manager))
        task_feedback(actor=as_actor(manager), task=task, satisfied=True, notes="电话回访，满意")
        task.refresh_from_db()
        assert (task.status, task.satisfied, task.closed_on) == (
            "closed",
            True,
            dt.date(2026, 9, 30),
        )
        assert task.late is False

    def test_the_applicant_answers_on_the_portal(
        self, task, manager, resident, jianghan_resident, django_user_model
    ):
        through_answer(task, as_actor(manager))
        portal = Actor(user_id=django_user_model.objects.create_user("p1").pk, name="居民")
        with acting_in(DENY_ALL):  # a resident's request has no staff scope
            e = refused(
                lambda: task_feedback(
                    actor=portal, task=task, satisfied=True, person=jianghan_resident
                )
            )
            assert e.code == "not_applicant"
            task_feedback(actor=portal, task=task, satisfied=True, person=resident)
        task.refresh_from_db()
        assert task.status == "closed"


class TestWhoHandles:
    def test_the_rated_clerk_cannot_handle_their_own_bad_review(self, task, dazhi_clerk):
        with pytest.raises(PermissionDenied):
            verify_task(actor=as_actor(dazhi_clerk), task=task, founded=False, notes="不属实")

    def test_agents_and_grid_workers_pass_it_on(self, task, baocheng_agent):
        with pytest.raises(PermissionDenied):
            verify_task(actor=as_actor(baocheng_agent), task=task, founded=True, notes="属实")

    def test_another_street_cannot_see_or_act(self, task, minzu_clerk, manager):
        with acting_in(scope_for(minzu_clerk)):
            assert list(queries.task_list(on=dt.date(2026, 9, 30))) == []
            with pytest.raises(OutOfScope):
                verify_task(actor=as_actor(minzu_clerk), task=task, founded=True, notes="属实")
        with acting_in(scope_for(manager)):
            assert list(queries.task_list(on=dt.date(2026, 9, 30))) == [task]

    def test_a_department_reviewer_sees_their_departments_tasks(self, task, mz_reviewer):
        rs = factories.staff("rs_reviewer", role="reviewer", division="420102", department="RS")
        with acting_in(scope_for(mz_reviewer)):
            assert list(queries.task_list(on=dt.date(2026, 9, 30))) == [task]
        with acting_in(scope_for(rs)):
            assert list(queries.task_list(on=dt.date(2026, 9, 30))) == []


class TestDeadlines:
    def test_overdue_when_not_answered_by_the_due_date(self, task, clock, manager):
        # Still unverified on 10-13: overdue, verification was due 10-08.
        assert task.overdue_on(dt.date(2026, 10, 13)) is True
        clock.set(dt.date(2026, 10, 8))
        verify_task(actor=as_actor(manager), task=task, founded=True, notes="回访核实属实")
        task.refresh_from_db()
        assert task.late is False
        # Verified in time: the answer is due 10-13, overdue from 10-14.
        assert not task.overdue_on(dt.date(2026, 10, 13))
        assert task.overdue_on(dt.date(2026, 10, 14))
        assert list(queries.task_list(on=dt.date(2026, 10, 14), overdue=True)) == [task]
        assert list(queries.task_list(on=dt.date(2026, 10, 13), overdue=True)) == []
        # Answered late: it stays flagged.
        clock.set(dt.date(2026, 10, 14))
        rectify_task(actor=as_actor(manager), task=task, notes="整改完成")
        answer_task(actor=as_actor(manager), task=task, answer="已整改")
        task.refresh_from_db()
        assert task.late is True and task.status == "feedback"
        assert [s.late for s in task.steps.all()] == [False, False, True, True]
        assert list(queries.task_list(on=dt.date(2026, 10, 20), overdue=True)) == [task]

    def test_late_verification_is_flagged(self, task, clock, manager):
        clock.set(dt.date(2026, 10, 9))
        verify_task(actor=as_actor(manager), task=task, founded=True, notes="回访核实属实")
        task.refresh_from_db()
        assert task.late is True


class TestEscalation:
    def test_second_round_then_the_city_supervisor(
        self, task, clock, manager, street_supervisor, supervisor
    ):
        actor = as_actor(manager)
        through_answer(task, actor)
        # Unsatisfied after round 1: round 2 from verification, with fresh limits.
        clock.set(dt.date(2026, 10, 9))
        task_feedback(actor=actor, task=task, satisfied=False, notes="申请人认为整改不到位")
        task.refresh_from_db()
        assert (task.status, task.round) == ("verify", 2)
        # From Friday 10-09: Saturday 10-10 is a 调休 working day (1), then 10-12 … 10-15 (5).
        assert (task.verify_due, task.due_date) == (dt.date(2026, 10, 10), dt.date(2026, 10, 15))
        through_answer(task, actor, answer="已再次整改，窗口增设引导员")
        assert OutboxMessage.objects.filter(dedupe_key=f"rectification:{task.pk}:answer:2")
        # Unsatisfied after round 2: escalated to the city.
        task_feedback(actor=actor, task=task, satisfied=False, notes="仍不满意")
        task.refresh_from_db()
        assert task.status == "escalated" and task.escalated_at is not None
        alert = OutboxMessage.objects.get(
            dedupe_key=f"rectification:{task.pk}:escalated:{supervisor.staff.pk}"
        )
        assert alert.channel == "in_app" and alert.recipient_user_id == supervisor.pk
        # A street supervisor or the centre cannot close it; the city supervisor does.
        for staff in (manager, street_supervisor):
            with pytest.raises(PermissionDenied):
                resolve_task(actor=as_actor(staff), task=task, notes="已办结")
        resolve_task(actor=as_actor(supervisor), task=task, notes="督促街道落实整改，约谈负责人")
        task.refresh_from_db()
        assert task.status == "closed" and task.satisfied is False
        final = OutboxMessage.objects.get(dedupe_key=f"rectification:{task.pk}:resolved")
        assert "约谈负责人" in final.body
        actions = [s.action for s in task.steps.all()]
        assert actions[-3:] == ["unsatisfied", "escalated", "resolved"]
        assert actions.count("answered") == 2
