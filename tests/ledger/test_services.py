"""Template design, filling, submission, review and the freeze of submitted figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bianmin.ledger.models import ManualCell, Report, ReportStatus, ReportTemplate
from bianmin.ledger.services import (
    approve,
    fill_cells,
    open_report,
    return_report,
    save_template,
    submit,
)
from bianmin.ledger.tables import TOTAL, build_table
from tests import factories
from tests.conftest import BAOCHENG, TAINING
from tests.ledger.conftest import (
    fill_all,
    last_month,
    street_columns,
    this_month,
)

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


# --- templates -----------------------------------------------------------------------------


def test_template_with_unknown_indicator_is_refused_and_nothing_saved(actor):
    columns = street_columns()
    columns[0]["indicator"] = "cases.no_such_thing"
    with pytest.raises(ValidationError) as exc:
        save_template(
            actor=actor,
            code="bad",
            name="坏模板",
            frequency="monthly",
            row_kind="units",
            columns=columns,
        )
    assert codes(exc.value) == {"unknown_indicator"}
    assert "cases.no_such_thing" in str(exc.value)
    assert not ReportTemplate.objects.exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"min": 10, "max": 5}, "bad_bounds"),
        ({"type": "date"}, "bad_value_type"),
        ({"key": "Visits!"}, "bad_column_key"),
        ({"label": " "}, "column_label_required"),
        ({"type": "choice"}, "choices_required"),
        ({"min": "1.5"}, "bad_bounds"),
    ],
)
def test_bad_manual_column_is_refused(actor, change, code):
    columns = street_columns()
    columns[2].update(change)
    with pytest.raises(ValidationError) as exc:
        save_template(
            actor=actor,
            code="x-monthly",
            name="X",
            frequency="monthly",
            row_kind="units",
            columns=columns,
        )
    assert code in codes(exc.value)
    assert not ReportTemplate.objects.exists()


def test_headings_must_span_the_columns(actor):
    with pytest.raises(ValidationError) as exc:
        save_template(
            actor=actor,
            code="x-monthly",
            name="X",
            frequency="monthly",
            row_kind="units",
            columns=street_columns(),
            headings=[[{"label": "甲", "span": 3}]],
        )
    assert codes(exc.value) == {"bad_headings"}


def test_editing_a_template_bumps_the_version_but_open_reports_keep_their_layout(
    actor, street_template, street
):
    report = open_report(
        actor=actor, template=street_template, division=street, period=last_month()
    )
    columns = street_columns()[:2]
    edited = save_template(
        actor=actor,
        template=street_template,
        code=street_template.code,
        name="改后",
        frequency="monthly",
        row_kind="units",
        columns=columns,
    )
    assert edited.version == 2
    report.refresh_from_db()
    assert report.template_version == 1
    assert [c["key"] for c in report.layout["columns"]] == ["grids", "households", "visits", "note"]


# --- computed cells ------------------------------------------------------------------------


def test_computed_cells_come_from_the_indicator_library_with_roll_up(
    actor, street_template, street, grids
):
    report = open_report(
        actor=actor, template=street_template, division=street, period=last_month()
    )
    table = build_table(report)
    assert table.cell(BAOCHENG, "grids").value == Decimal(2)
    assert table.cell(BAOCHENG, "households").value == Decimal(200)
    assert table.cell(TAINING, "households").value == Decimal(200)
    assert table.cell(TOTAL, "grids").value == Decimal(3)
    assert table.cell(BAOCHENG, "grids").computed
    assert not table.cell(BAOCHENG, "grids").manual


def test_quarterly_report_by_month_rows(actor, street, grids):
    template = save_template(
        actor=actor,
        code="q-ratio",
        name="大网格占比季报",
        frequency="quarterly",
        row_kind="periods",
        columns=[
            {
                "key": "share",
                "label": "占比",
                "source": "indicator",
                "indicator": "ledgertest.served_share",
            },
        ],
    )
    from bianmin.ledger import periods

    quarter = periods.last_closed("quarterly")
    report = open_report(actor=actor, template=template, division=street, period=quarter.key)
    table = build_table(report)
    assert [r.key for r in table.rows] == [m.key for m in quarter.months()] + [TOTAL]
    # 2 of 3 grids serve more than 100 households; a state measure holds in every month.
    assert table.cell(TOTAL, "share").value == Decimal("66.7")


# --- manual cells --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code"),
    [("abc", "not_integer"), ("2.5", "not_integer"), ("-1", "below_min"), ("10001", "above_max")],
)
def test_bad_hand_entered_value_is_refused_and_nothing_changed(
    actor, street_template, street, raw, code
):
    report = open_report(
        actor=actor, template=street_template, division=street, period=last_month()
    )
    fill_cells(actor=actor, report=report, values={(BAOCHENG, "visits"): "7"})
    with pytest.raises(ValidationError) as exc:
        fill_cells(
            actor=actor,
            report=report,
            values={(TAINING, "visits"): "5", (BAOCHENG, "visits"): raw},
        )
    assert codes(exc.value) == {code}
    assert {(c.row_key, c.value) for c in ManualCell.objects.all()} == {(BAOCHENG, "7")}


def test_hand_entered_values_are_normalised_marked_and_summed(actor, street_template, street):
    report = open_report(
        actor=actor, template=street_template, division=street, period=last_month()
    )
    fill_cells(
        actor=actor,
        report=report,
        values={
            (BAOCHENG, "visits"): "１２",
            (TAINING, "visits"): " 30 ",
            (BAOCHENG, "note"): "好",
        },
    )
    table = build_table(report)
    cell = table.cell(BAOCHENG, "visits")
    assert cell.value == Decimal(12) and cell.manual and cell.entered_by == "测试填报员"
    assert table.cell(TOTAL, "visits").value == Decimal(42)
    fill_cells(actor=actor, report=report, values={(BAOCHENG, "note"): ""})
    assert not ManualCell.objects.filter(column_key="note").exists()


def test_a_computed_or_unknown_cell_cannot_be_typed_over(actor, street_template, street):
    report = open_report(
        actor=actor, template=street_template, division=street, period=last_month()
    )
    for key in [(BAOCHENG, "grids"), (TOTAL, "visits"), ("420999999999", "visits")]:
        with pytest.raises(ValidationError) as exc:
            fill_cells(actor=actor, report=report, values={key: "1"})
        assert codes(exc.value) == {"unknown_cell"}


# --- submission and review -----------------------------------------------------------------


def test_submitting_an_unfinished_period_is_refused(actor, street_template, street):
    report = open_report(
        actor=actor, template=street_template, division=street, period=this_month()
    )
    fill_all(report, actor)
    with pytest.raises(ValidationError) as exc:
        submit(actor=actor, report=report)
    assert codes(exc.value) == {"period_not_over"}
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.frozen is None


def test_submitting_with_required_cells_empty_is_refused(actor, street_template, street):
    report = open_report(
        actor=actor, template=street_template, division=street, period=last_month()
    )
    fill_cells(actor=actor, report=report, values={(BAOCHENG, "visits"): "4"})
    with pytest.raises(ValidationError) as exc:
        submit(actor=actor, report=report)
    assert codes(exc.value) == {"cells_missing"}
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_future_period_cannot_be_opened(actor, street_template, street):
    future = dt.date.today().year + 1
    with pytest.raises(ValidationError) as exc:
        open_report(actor=actor, template=street_template, division=street, period=f"{future}-01")
    assert codes(exc.value) == {"period_too_early"}


def test_submission_freezes_figures_and_later_base_changes_show_as_difference(
    actor, street_template, street, grids, street_reviewer
):
    report = open_report(
        actor=actor, template=street_template, division=street, period=last_month()
    )
    fill_all(report, actor)
    submit(actor=actor, report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.frozen[BAOCHENG]["grids"] == "2"

    # Base data changes after submission: a new grid in 保成社区.
    factories.grid(BAOCHENG, 3)
    table = build_table(report)
    cell = table.cell(BAOCHENG, "grids")
    assert cell.value == Decimal(2)  # frozen
    assert cell.live == Decimal(3) and cell.changed and cell.diff == Decimal(1)
    assert table.cell(TOTAL, "grids").value == Decimal(3)
    assert not table.cell(TAINING, "grids").changed
    assert table.changed_count == 2  # 保成 and 合计

    # The frozen report refuses edits, and nothing changes.
    with pytest.raises(ValidationError) as exc:
        fill_cells(actor=actor, report=report, values={(BAOCHENG, "visits"): "99"})
    assert codes(exc.value) == {"frozen"}
    assert ManualCell.objects.get(row_key=BAOCHENG, column_key="visits").value == "3"

    approve(actor=actor, user=street_reviewer, report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert build_table(report).cell(BAOCHENG, "grids").value == Decimal(2)


def test_return_needs_a_reason_and_unfreezes(
    actor, street_template, street, grids, street_reviewer
):
    report = open_report(
        actor=actor, template=street_template, division=street, period=last_month()
    )
    fill_all(report, actor)
    submit(actor=actor, report=report)
    with pytest.raises(ValidationError) as exc:
        return_report(actor=actor, user=street_reviewer, report=report, reason="  ")
    assert codes(exc.value) == {"reason_required"}
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED

    return_report(actor=actor, user=street_reviewer, report=report, reason="走访次数偏低，请核实")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.frozen is None
    fill_cells(actor=actor, report=report, values={(BAOCHENG, "visits"): "12"})
    factories.grid(BAOCHENG, 3)
    submit(actor=actor, report=report)
    report.refresh_from_db()
    assert report.frozen[BAOCHENG]["grids"] == "3"
    assert [e.action for e in report.events.all()] == [
        "opened",
        "submitted",
        "returned",
        "submitted",
    ]


def test_only_the_level_above_reviews(actor, street_template, street, grids, street_clerk):
    report = open_report(
        actor=actor, template=street_template, division=street, period=last_month()
    )
    fill_all(report, actor)
    submit(actor=actor, report=report)
    other_district = factories.staff("jianghan_sup", role="supervisor", division="420103")
    for user in (street_clerk, other_district):
        with pytest.raises(PermissionDenied):
            approve(actor=actor, user=user, report=report)
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_approving_a_draft_is_refused(actor, street_template, street, street_reviewer):
    report = open_report(
        actor=actor, template=street_template, division=street, period=last_month()
    )
    with pytest.raises(ValidationError) as exc:
        approve(actor=actor, user=street_reviewer, report=report)
    assert codes(exc.value) == {"bad_transition"}


def test_street_report_takes_hand_entered_figures_from_approved_community_reports(actor, grids):
    """一次录入，多方共享: 保成社区 reports its visits once; 大智街道's report of the same
    template shows them without retyping, marked as taken from the community's report."""
    from bianmin.registry.models import Division

    template = save_template(
        actor=actor, code="visits-monthly", name="走访月报", frequency="monthly",
        row_kind="units",
        columns=[{"key": "visits", "label": "入户走访", "source": "manual", "type": "int",
                  "min": 0, "required": True}],
    )  # fmt: skip
    community = Division.objects.get(code=BAOCHENG)
    reviewer = factories.staff("dazhi_reviewer", role="clerk", division="420102002000")
    below = open_report(actor=actor, template=template, division=community, period=last_month())
    grid_rows = [r.key for r in build_table(below).rows if not r.is_total]
    fill_cells(actor=actor, report=below, values={(k, "visits"): "10" for k in grid_rows})
    submit(actor=actor, report=below)

    street = Division.objects.get(code="420102002000")
    report = open_report(actor=actor, template=template, division=street, period=last_month())
    assert build_table(report).cell(BAOCHENG, "visits").value is None  # not approved yet
    approve(actor=actor, user=reviewer, report=below)
    table = build_table(report)
    cell = table.cell(BAOCHENG, "visits")
    assert cell.value == Decimal(10 * len(grid_rows)) and cell.shared_from == "保成社区"
    assert (BAOCHENG, "visits") not in {(r.key, c["key"]) for r, c in table.missing}
    assert not ManualCell.objects.filter(report=report).exists()
