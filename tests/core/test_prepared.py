"""PreparedQuery gives what the queryset gives, whatever the values, and reuses its SQL only
when every placeholder is known to be one given value."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from rest_framework.authtoken.models import Token

from bianmin.core.prepared import PreparedQuery
from bianmin.registry.models import Division, DivisionLevel, Role
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
