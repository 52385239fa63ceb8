"""Taking numbers and serving them at the windows, through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bianmin.core.errors import OutOfScope
from bianmin.core.models import AuditEntry
from bianmin.core.scope import acting_in
from bianmin.queueing import services
from bianmin.queueing.models import Ticket, TicketSource, TicketStatus
from bianmin.registry.access import actor_for, scope_for
from tests import factories
from tests.conftest import BAOCHENG, WANNIAN
from tests.queueing.conftest import MONDAY, build_hall, error_code, local, open_all

# Intake fetches shared materials before it decides: the city's grants are in place.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sharing_arranged")]


def code_of(excinfo) -> str:
    return error_code(excinfo.value)


class TestNumbering:
    def test_numbers_run_per_category_and_restart_each_day(self, dazhi, clock, system_actor):
        take = lambda cat: services.take_ticket(actor=system_actor, category=cat).number  # noqa: E731
        assert [take(dazhi.a), take(dazhi.a), take(dazhi.b), take(dazhi.a)] == [
            "A001",
            "A002",
            "B001",
            "A003",
        ]
        clock.set(local(MONDAY + dt.timedelta(days=1), 8, 45))
        assert [take(dazhi.b), take(dazhi.a)] == ["B001", "A001"]
        tuesday = Ticket.unscoped.filter(day=MONDAY + dt.timedelta(days=1))
        assert sorted(tuesday.values_list("number", flat=True)) == ["A001", "B001"]

    def test_another_hall_has_its_own_numbers(self, dazhi, clock, system_actor):
        other = build_hall(system_actor, division="420103001000", name="民族街大厅")
        services.take_ticket(actor=system_actor, category=dazhi.a)
        assert services.take_ticket(actor=system_actor, category=other.a).number == "A001"

    def test_closed_category_and_daily_limit(self, dazhi, clock, system_actor):
        services.set_category_accepting(actor=system_actor, category=dazhi.c, accepting=False)
        with pytest.raises(ValidationError) as e:
            services.take_ticket(actor=system_actor, category=dazhi.c)
        assert code_of(e) == "category_closed"
        assert e.value.messages == ["“C 市场准入”暂停取号。"]

        dazhi.b.daily_limit = 2
        dazhi.b.save()
        services.take_ticket(actor=system_actor, category=dazhi.b)
        services.take_ticket(actor=system_actor, category=dazhi.b)
        with pytest.raises(ValidationError) as e:
            services.take_ticket(actor=system_actor, category=dazhi.b)
        assert code_of(e) == "category_closed" and "今日号已取完" in e.value.messages[0]
        assert Ticket.unscoped.filter(category=dazhi.b).count() == 2

    def test_id_number_links_the_person_and_is_never_stored(self, dazhi, clock, system_actor):
        resident = factories.person(community=BAOCHENG, name="李娜")
        number = factories.id_number()
        id_of_resident = resident.id_masked
        ticket = services.take_ticket(
            actor=system_actor, category=dazhi.a, id_number=_clear_id(resident)
        )
        assert ticket.person == resident and ticket.applicant_masked == id_of_resident
        # Not in the registry (from another city): kept only hashed and masked.
        stranger = services.take_ticket(actor=system_actor, category=dazhi.a, id_number=number)
        assert stranger.person is None and len(stranger.applicant_hash) == 64
        row = Ticket.unscoped.filter(pk=stranger.pk).values()[0]
        assert number not in str(row)
        entry = AuditEntry.objects.filter(object_type="queue_ticket").latest("pk")
        assert entry.object_label.endswith(stranger.applicant_masked) and number not in str(
            entry.changes
        )

    def test_bad_id_number_is_refused_before_a_number_is_used(self, dazhi, clock, system_actor):
        good = factories.id_number()
        bad = good[:17] + ("1" if good[17] != "1" else "2")
        with pytest.raises(ValidationError) as e:
            services.take_ticket(actor=system_actor, category=dazhi.a, id_number=bad)
        assert code_of(e) == "id_number_check_digit"
        assert services.take_ticket(actor=system_actor, category=dazhi.a).number == "A001"


def _clear_id(person) -> str:
    from bianmin.core import crypto

    return crypto.decrypt(person.id_cipher)


class TestCalling:
    def test_window_calls_oldest_of_its_categories(self, dazhi, clock, clerk_actor):
        open_all(clerk_actor, dazhi)
        numbers = []
        for cat in (dazhi.c, dazhi.a, dazhi.b, dazhi.d):
            numbers.append(services.take_ticket(actor=clerk_actor, category=cat).number)
            clock.advance(minutes=1)
        assert numbers == ["C001", "A001", "B001", "D001"]
        # Window 1 serves A and D: A001 is the oldest of those.
        first = services.call_next(actor=clerk_actor, window=dazhi.w1)
        assert (first.number, first.status, first.window_id) == ("A001", "called", dazhi.w1.pk)
        assert first.served_by_id == clerk_actor.user_id and first.call_count == 1
        # Window 2 (A, B): A001 is taken, so B001.
        assert services.call_next(actor=clerk_actor, window=dazhi.w2).number == "B001"
        # Window 3 (C, D): C001, the oldest overall.
        assert services.call_next(actor=clerk_actor, window=dazhi.w3).number == "C001"

    def test_window_must_be_open_and_free(self, dazhi, clock, clerk_actor):
        services.take_ticket(actor=clerk_actor, category=dazhi.a)
        services.take_ticket(actor=clerk_actor, category=dazhi.a)
        with pytest.raises(ValidationError) as e:
            services.call_next(actor=clerk_actor, window=dazhi.w1)
        assert code_of(e) == "window_closed" and e.value.messages == ["1号窗口未开放，请先开窗。"]
        services.open_window(actor=clerk_actor, window=dazhi.w1)
        services.call_next(actor=clerk_actor, window=dazhi.w1)
        with pytest.raises(ValidationError) as e:
            services.call_next(actor=clerk_actor, window=dazhi.w1)
        assert code_of(e) == "window_busy" and "A001" in e.value.messages[0]

    def test_nothing_waiting(self, dazhi, clock, clerk_actor):
        services.open_window(actor=clerk_actor, window=dazhi.w3)
        services.take_ticket(actor=clerk_actor, category=dazhi.a)  # not served by window 3
        with pytest.raises(ValidationError) as e:
            services.call_next(actor=clerk_actor, window=dazhi.w3)
        assert code_of(e) == "no_waiting_ticket"
        assert e.value.messages == ["3号窗口办理的业务暂无等候的号。"]

    def test_yesterdays_leftovers_are_not_called(self, dazhi, clock, clerk_actor):
        services.take_ticket(actor=clerk_actor, category=dazhi.a)
        clock.set(local(MONDAY + dt.timedelta(days=1), 9))
        services.open_window(actor=clerk_actor, window=dazhi.w1)
        with pytest.raises(ValidationError):
            services.call_next(actor=clerk_actor, window=dazhi.w1)

    def test_full_life_recall_serve_finish(self, dazhi, clock, clerk_actor):
        open_all(clerk_actor, dazhi)
        services.take_ticket(actor=clerk_actor, category=dazhi.a)
        clock.advance(minutes=12)
        ticket = services.call_next(actor=clerk_actor, window=dazhi.w1)
        clock.advance(minutes=1)
        ticket = services.recall(actor=clerk_actor, ticket=ticket)
        assert ticket.call_count == 2 and ticket.last_called_at == clock.at
        ticket = services.start_serving(actor=clerk_actor, ticket=ticket)
        with pytest.raises(ValidationError) as e:
            services.recall(actor=clerk_actor, ticket=ticket)
        assert code_of(e) == "invalid_transition"
        assert e.value.messages == ["A001号当前为“办理中”，不能再次呼叫。"]
        clock.advance(minutes=6)
        ticket = services.finish(actor=clerk_actor, ticket=ticket)
        assert ticket.status == TicketStatus.DONE
        assert ticket.done_at - ticket.called_at == dt.timedelta(minutes=7)
        with pytest.raises(ValidationError):
            services.finish(actor=clerk_actor, ticket=ticket)
        # The window is free again.
        services.take_ticket(actor=clerk_actor, category=dazhi.d)
        assert services.call_next(actor=clerk_actor, window=dazhi.w1).number == "D001"

    def test_no_show_only_after_n_calls(self, dazhi, clock, clerk_actor):
        open_all(clerk_actor, dazhi)
        services.take_ticket(actor=clerk_actor, category=dazhi.a)
        ticket = services.call_next(actor=clerk_actor, window=dazhi.w1)
        with pytest.raises(ValidationError) as e:
            services.mark_no_show(actor=clerk_actor, ticket=ticket)
        assert code_of(e) == "invalid_transition"
        assert e.value.messages == ["A001号已呼叫1次，呼叫满3次仍未到窗口方可记为过号。"]
        services.recall(actor=clerk_actor, ticket=ticket)
        services.recall(actor=clerk_actor, ticket=ticket)
        ticket = services.mark_no_show(actor=clerk_actor, ticket=ticket)
        assert ticket.status == TicketStatus.NO_SHOW

    def test_transfer_keeps_the_place_in_the_queue(self, dazhi, clock, clerk_actor):
        open_all(clerk_actor, dazhi)
        resident = factories.person(community=BAOCHENG)
        first = services.take_ticket(
            actor=clerk_actor, category=dazhi.d, id_number=_clear_id(resident)
        )
        clock.advance(minutes=5)
        later_b = services.take_ticket(actor=clerk_actor, category=dazhi.b)
        clock.advance(minutes=5)
        called = services.call_next(actor=clerk_actor, window=dazhi.w1)
        assert called == first
        moved = services.transfer(actor=clerk_actor, ticket=called, category=dazhi.b)
        assert moved.number == "B002" and moved.source == TicketSource.TRANSFER
        assert moved.person == resident and moved.queue_at == first.queue_at
        assert Ticket.unscoped.get(pk=first.pk).status == TicketStatus.TRANSFERRED
        assert moved.transferred_from_id == first.pk
        # B002 queued at D001's time, before B001.
        assert services.call_next(actor=clerk_actor, window=dazhi.w2) == moved
        assert later_b.status == TicketStatus.WAITING
        with pytest.raises(ValidationError) as e:
            services.transfer(actor=clerk_actor, ticket=moved, category=dazhi.b)
        assert code_of(e) == "invalid_transition"

    def test_link_the_case_accepted_at_the_window(
        self, dazhi, clock, clerk, clerk_actor, monkeypatch
    ):
        monkeypatch.setattr(timezone, "now", clock.now)  # the cases app asks Django the time
        open_all(clerk_actor, dazhi)
        resident = factories.person(community=BAOCHENG)
        services.take_ticket(actor=clerk_actor, category=dazhi.b, id_number=_clear_id(resident))
        ticket = services.call_next(actor=clerk_actor, window=dazhi.w2)
        case = _accepted_case(clerk, resident)
        with acting_in(scope_for(clerk)):
            with pytest.raises(ValidationError) as e:
                services.link_case(actor=clerk_actor, ticket=ticket, case_no=" ")
            assert code_of(e) == "case_no_required"
            with pytest.raises(ValidationError) as e:
                services.link_case(actor=clerk_actor, ticket=ticket, case_no="BM00000000000000")
            assert code_of(e) == "unknown_case"
            services.link_case(actor=clerk_actor, ticket=ticket, case_no=case.case_no)
        assert Ticket.unscoped.get(pk=ticket.pk).case == case
        assert list(case.queue_tickets.all()) == [ticket]
        entry = AuditEntry.objects.filter(object_type="queue_ticket", action="update").get()
        assert entry.changes == {"case_no": case.case_no}
        # Finished tickets can still be linked; waiting ones cannot.
        services.finish(actor=clerk_actor, ticket=ticket)
        services.link_case(actor=clerk_actor, ticket=ticket, case_no=case.case_no)
        waiting = services.take_ticket(actor=clerk_actor, category=dazhi.b)
        with pytest.raises(ValidationError) as e:
            services.link_case(actor=clerk_actor, ticket=waiting, case_no=case.case_no)
        assert code_of(e) == "invalid_transition"


def _accepted_case(clerk, person):
    """A real case accepted at the 大智 centre through the cases app's own intake."""
    from bianmin.cases.models import IntakeChannel
    from bianmin.cases.services import intake
    from bianmin.cases.services.precheck import Applicant
    from tests.cases import builders

    result = intake.take_in(
        actor=actor_for(clerk),
        item=builders.item("MZ-GLJT-001"),
        applicant=Applicant(person=person),
        provided=builders.COMPLETE,
        channel=IntakeChannel.WINDOW,
    )
    assert result.accepted
    return result.case


class TestScope:
    def test_clerk_of_another_street_cannot_work_this_hall(self, dazhi, clock, clerk_actor):
        services.open_window(actor=clerk_actor, window=dazhi.w1)
        services.take_ticket(actor=clerk_actor, category=dazhi.a)
        outsider = factories.staff("wannian", role="clerk", division=WANNIAN)
        with acting_in(scope_for(outsider)), pytest.raises(OutOfScope):
            services.call_next(actor=clerk_actor, window=dazhi.w1)
        clerk_user = factories.staff("baocheng_clerk", role="clerk", division=BAOCHENG)
        # A community room's clerk sits below the street: the street's hall is not theirs.
        with acting_in(scope_for(clerk_user)), pytest.raises(OutOfScope):
            services.call_next(actor=clerk_actor, window=dazhi.w1)

    def test_clerk_of_the_centre_can(self, dazhi, clock, clerk, clerk_actor):
        services.take_ticket(actor=clerk_actor, category=dazhi.a)
        with acting_in(scope_for(clerk)):
            services.open_window(actor=clerk_actor, window=dazhi.w1)
            assert services.call_next(actor=clerk_actor, window=dazhi.w1).number == "A001"
            assert Ticket.objects.count() == 1
        with acting_in(scope_for(factories.staff("w2", role="clerk", division=WANNIAN))):
            assert Ticket.objects.count() == 0
