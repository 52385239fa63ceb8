"""The case and evaluation services a resident calls from the portal, in a web request's
deny-all staff scope: ownership decides, not area."""

from __future__ import annotations

import datetime as dt

import pytest

from bianmin.cases.models import Case, CaseStatus, Visit
from bianmin.cases.services import acceptance, intake
from bianmin.cases.services.precheck import Applicant
from bianmin.core.scope import DENY_ALL, acting_in
from bianmin.evaluation.services import answer_task, rate_case, task_feedback, verify_task
from bianmin.portal.services.accounts import resident_actor
from tests.cases.conftest import as_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned_online(clock, elderly_item, dazhi_clerk, resident, account) -> Case:
    """王秀英's online application without her 户口簿, returned for it by the 大智街道 clerk."""
    actor = resident_actor(resident, account.user_id, None)
    case = intake.submit_online(
        actor=actor,
        item=elderly_item,
        applicant=Applicant(person=resident),
        provided=[{"code": c, "form": "electronic"} for c in ("photo", "bank_card")],
    ).case
    acceptance.return_for_supplement(actor=as_actor(dazhi_clerk), case=case)
    return Case.unscoped.get(pk=case.pk)


class TestResubmitOnline:
    def test_the_applicant_resubmits_without_a_staff_scope(
        self, returned_online, resident, account
    ):
        assert returned_online.status == CaseStatus.RETURNED
        actor = resident_actor(resident, account.user_id, None)
        with acting_in(DENY_ALL):
            checked = acceptance.resubmit(
                actor=actor,
                case=returned_online,
                provided=[{"code": "hukou", "form": "electronic"}],
                channel="online",
                person=resident,
            )
        assert checked.complete
        case = Case.unscoped.get(pk=returned_online.pk)
        assert case.status == CaseStatus.SUBMITTED and case.paused_since is None
        assert not Visit.objects.filter(case=case).exists()  # nobody came to a window
        assert case.events.last().actor_name == "王秀英（本人）"

    def test_someone_else_cannot(self, returned_online, jianghan_resident, other_account):
        actor = resident_actor(jianghan_resident, other_account.user_id, None)
        with acting_in(DENY_ALL), pytest.raises(Case.DoesNotExist):
            acceptance.resubmit(
                actor=actor,
                case=returned_online,
                provided=["hukou"],
                channel="online",
                person=jianghan_resident,
            )
        assert Case.unscoped.get(pk=returned_online.pk).status == CaseStatus.RETURNED


def test_the_applicant_answers_a_rectification_without_a_staff_scope(
    clock, cases, dazhi_clerk, resident, account, django_user_model
):
    from tests import factories
    from tests.conftest import DAZHI_STREET

    closed = cases.closed(dazhi_clerk, resident)
    actor = resident_actor(resident, account.user_id, None)
    with acting_in(DENY_ALL):
        rating = rate_case(
            actor=actor, case=closed, level=2, channel="portal", comment="等了很久", person=resident
        )
    manager = as_actor(factories.staff("dazhi_manager", role="clerk", division=DAZHI_STREET))
    clock.set(dt.date(2026, 9, 30))
    verify_task(actor=manager, task=rating.task, founded=True, notes="属实")
    from bianmin.evaluation.services import rectify_task

    rectify_task(actor=manager, task=rating.task, notes="增开窗口")
    answer_task(actor=manager, task=rating.task, answer="已增开一个综合窗口")
    with acting_in(DENY_ALL):
        task = task_feedback(actor=actor, task=rating.task, satisfied=True, person=resident)
    assert task.status == "closed" and task.satisfied is True
