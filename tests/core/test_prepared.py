"""PreparedQuery gives what the queryset gives, whatever the values, and reuses its SQL only
when every placeholder is known to be one given value."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from rest_framework.authtoken.models import Token

from bianmin.core import prepared
from bianmin.core.models import WorkdayOverride
from bianmin.core.prepared import PreparedQuery
from bianmin.core.scope import Scope, acting_in
from bianmin.registry.models import Division, DivisionLevel, Person, Role
from bianmin.sharing.models import AccessOutcome, DataAccess
from tests import factories


def _token_query():
    return PreparedQuery(
        lambda key: Token.objects.select_related("user__staff__org_unit__division").filter(key=key)
    )


@pytest.mark.django_db
class TestPreparedQuery:
    def test_select_related_chain_as_the_orm_builds_it(self, django_assert_num_queries):
        # Given a clerk and a user without a staff profile, each with a token
        clerk = factories.staff("pq_clerk", role=Role.WINDOW_CLERK, division="420102002000")
        plain = get_user_model().objects.create_user(username="pq_plain")
        keys = [Token.objects.create(user=u).key for u in (clerk, plain)]
        query = _token_query()
        for _round in range(2):  # first call compiles, the second reuses
            # When each token is looked up
            with django_assert_num_queries(1):
                token = query(keys[0])[0]
                # Then the related rows came with it, as select_related loads them
                assert token.user.staff.org_unit.division.code == "420102002000"
                assert token.user.username == "pq_clerk"
            with django_assert_num_queries(1):
                (other,) = query(keys[1])
                assert other.user.username == "pq_plain"
                assert not hasattr(other.user, "staff")  # the reverse one-to-one is empty
            assert query("no-such-key") == []
        assert connections["default"] in query.compiled

    def test_flat_values_and_rows_match_the_queryset(self):
        codes = PreparedQuery(
            lambda parent: (
                Division.objects.filter(parent_id=parent)
                .order_by("code")
                .values_list("code", flat=True)
            )
        )
        for parent in ("420100", "420102", "420102002000", "999999"):
            expected = list(
                Division.objects.filter(parent_id=parent)
                .order_by("code")
                .values_list("code", flat=True)
            )
            assert codes(parent) == expected
        assert codes("420100")  # real districts: the comparison above was not of empty lists

    def test_a_constant_in_the_sql_is_never_reused(self):
        # The level is a constant of the queryset, not a value given: its SQL must not serve
        # other values (the placeholder holding the level would be taken for the parent).
        query = PreparedQuery(
            lambda parent: Division.objects.filter(parent_id=parent, level=DivisionLevel.TOWN)
        )
        for parent in ("420102", "420103"):
            expected = set(Division.objects.filter(parent_id=parent, level=DivisionLevel.TOWN))
            assert set(query(parent)) == expected and expected
        assert not query.compiled and query.refused == {connections["default"].vendor}

    def test_equal_values_are_not_told_apart_so_not_kept(self):
        query = PreparedQuery(
            lambda code, parent: (
                Division.objects.filter(code=code) | Division.objects.filter(parent_id=parent)
            )
        )
        same = query("420102", "420102")  # which placeholder is which: unknown from this call
        assert {d.code for d in same} == {"420102"} | set(
            Division.objects.filter(parent_id="420102").values_list("code", flat=True)
        )
        assert not query.compiled
        mixed = query("420100", "420103")
        assert {d.code for d in mixed} == {"420100"} | set(
            Division.objects.filter(parent_id="420103").values_list("code", flat=True)
        )
        assert connections["default"] in query.compiled
        # reused, with the values in their places
        again = query("420103", "420100")
        assert {d.code for d in again} == {"420103"} | set(
            Division.objects.filter(parent_id="420100").values_list("code", flat=True)
        )

    def test_values_with_no_sql_give_nothing(self):
        query = PreparedQuery(lambda codes: Division.objects.filter(code__in=codes))
        assert query(()) == []

    def test_a_scoped_manager_is_never_reused_across_scopes(self):
        # Given a resident of 保成社区 and a query through the scoped manager
        resident = factories.person(community="420102002003", name="刘芳")
        query = PreparedQuery(lambda name: Person.objects.filter(name=name))
        here, elsewhere = Scope(area_prefix="420102002"), Scope(area_prefix="420103")
        for _round in range(2):
            # Then each scope sees what Person.objects shows it, however often it is asked
            with acting_in(here):
                assert query("刘芳") == [resident]
            with acting_in(elsewhere):
                assert query("刘芳") == []
            with acting_in(None):
                assert query("刘芳") == [resident]
        assert not query.compiled


@pytest.mark.django_db
class TestInsert:
    def test_a_row_is_stored_as_save_stores_it(self):
        resident = factories.person(community="420102002003", name="刘芳")
        access = DataAccess(
            user=None,
            actor_name="窗口一",
            item_code="hukou",
            item_name="户籍信息",
            person=resident,
            area_code=resident.area_code,
            purpose="办件BM202612060000001申请材料：户口簿",
            outcome=AccessOutcome.ALLOWED,
        )
        prepared.insert(access)
        stored = DataAccess.unscoped.get(pk=access.pk)
        assert not access._state.adding
        assert (stored.person_id, stored.purpose, stored.outcome, stored.at) == (
            resident.pk,
            access.purpose,
            "allowed",
            access.at,  # the field default, filled in before the insert
        )

    def test_a_model_with_save_signals_is_saved_by_the_orm(self):
        from bianmin.core import workdays

        # WorkdayOverride's post_save refreshes the working-day calendar: it must still run.
        day = dt.date(2026, 12, 12)  # a Saturday
        assert not workdays.is_workday(day)
        override = WorkdayOverride(date=day, is_workday=True, name="调休上班")
        prepared.insert(override)
        assert override.pk and workdays.is_workday(day)

    def test_unless_exists_leaves_the_first_row_and_the_transaction_usable(self):
        from django.utils import timezone

        from bianmin.notifications.models import OutboxMessage

        def message(body: str) -> OutboxMessage:
            return OutboxMessage(
                dedupe_key="case:BM202612060000001:1",
                recipient_address="13812345678",
                body=body,
                next_attempt_at=timezone.now(),
            )

        first, second = message("已受理"), message("重复")
        assert prepared.insert(first, unless_exists=("dedupe_key",))
        assert not prepared.insert(second, unless_exists=("dedupe_key",))
        assert second.pk is None and second._state.adding
        # no error was raised inside the transaction: it still answers
        assert OutboxMessage.objects.get(dedupe_key=first.dedupe_key).body == "已受理"

    def test_replacing_updates_the_named_fields_of_the_existing_row(self):
        from django.utils import timezone

        from bianmin.notifications.models import OutboxMessage

        def message(body: str, subject: str) -> OutboxMessage:
            return OutboxMessage(
                dedupe_key="case:BM202612060000001:2",
                recipient_address="13812345678",
                subject=subject,
                body=body,
                next_attempt_at=timezone.now(),
            )

        first, again = message("已受理", "受理"), message("已补正", "补正")
        assert prepared.insert(first, unless_exists=("dedupe_key",), replacing=("body",))
        assert prepared.insert(again, unless_exists=("dedupe_key",), replacing=("body",))
        assert again.pk == first.pk
        stored = OutboxMessage.objects.get(dedupe_key=first.dedupe_key)
        assert (stored.body, stored.subject) == ("已补正", "受理")  # only the named field
        assert OutboxMessage.objects.count() == 1
