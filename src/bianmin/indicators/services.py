"""Writes of the indicator library: the definitions table, the stored (live) values with their
incremental refresh, frozen snapshots, and the difference between a snapshot and today.

Refresh. `refresh(period)` computes every declared indicator for the home city and each unit
under it and stores the values (live rows, `snapshot` empty). The first refresh of a month is
full; later ones are incremental: for an indicator whose measures are counts or sums over a
model with a change timestamp (`updated_at` / `created_at`), only the raw area codes of rows
changed since the previous refresh started are re-read, their per-area partials replaced, and
the units above them re-added from the partials. Distinct counts (they do not add up) and
models without a timestamp are recomputed for the whole month. `full=True` forces a full pass.

Freeze. `freeze(period, root=…, codes=…)` refreshes, then copies the live values of the unit
and everything under it into a `Snapshot`; frozen rows are never written again. `diff(snapshot)`
lists the figures that have changed in the live values since.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bianmin.core import audit
from bianmin.core.audit import SYSTEM, Actor
from bianmin.core.models import AuditAction
from bianmin.indicators import library
from bianmin.indicators.engine import (
    ZERO,
    Value,
    combine_many,
    compute_measures,
    roll_up,
)
from bianmin.indicators.library import Indicator, Measure, Period
from bianmin.indicators.models import (
    IndicatorDefinition,
    IndicatorValue,
    Partial,
    RefreshRun,
    Snapshot,
    TouchedArea,
)
from bianmin.indicators.units import Unit, subtree, unit


def home_city() -> str:
    return settings.BIANMIN.get("HOME_CITY_CODE", "420100")


# --- definitions ------------------------------------------------------------------------------


def sync_definitions() -> int:
    """Mirror the declarations into IndicatorDefinition; returns how many rows changed."""
    from django.utils import translation

    changed = 0
    declared = library.all_indicators()
    with translation.override("zh-hans"), transaction.atomic():
        existing = {d.code: d for d in IndicatorDefinition.objects.all()}
        for ind in declared:
            fields = {
                "name": str(ind.name)[:100],
                "unit": str(ind.unit)[:20],
                "kind": ind.kind,
                "formula": str(ind.formula),
                "source": ind.source[:40],
                "category": str(ind.category)[:40],
                "active": True,
            }
            row = existing.get(ind.code)
            if row is None:
                IndicatorDefinition.objects.create(code=ind.code, **fields)
                changed += 1
            elif any(getattr(row, k) != v for k, v in fields.items()):
                IndicatorDefinition.objects.filter(pk=ind.code).update(**fields)
                changed += 1
        gone = set(existing) - {i.code for i in declared}
        changed += IndicatorDefinition.objects.filter(code__in=gone, active=True).update(
            active=False
        )
    return changed


# --- refresh ----------------------------------------------------------------------------------


def _incremental(ind: Indicator) -> bool:
    return all(m.additive and m.changed_field() for m in ind.measures())


def _touched_areas(measures: Iterable[Measure], *, since, root: str) -> dict[Measure, set[str]]:
    """Raw area codes of rows changed since `since`, per measure (one query per table)."""
    found: dict[tuple, set[str]] = {}
    out: dict[Measure, set[str]] = {}
    for m in measures:
        key = (m.model, m.area, m.changed_field())
        if key not in found:
            qs = m.model_class()._base_manager.filter(
                **{f"{key[2]}__gt": since, f"{m.area}__startswith": root}
            )
            found[key] = set(qs.order_by().values_list(m.area, flat=True).distinct())
        out[m] = found[key]
    return out


VALUE_COLUMNS = (
    "indicator_id",
    "unit_code",
    "prefix",
    "period",
    "numerator",
    "denominator",
    "value",
    "computed_at",
    "snapshot_id",
)


def _insert(model, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """Bulk insert: COPY on PostgreSQL (a whole city's month is ~30 × 14,000 rows), else
    bulk_create. `rows` must not query the database while it is consumed (COPY holds the
    connection)."""
    from django.db import connection

    count = 0
    if connection.vendor == "postgresql":
        names = ", ".join(model._meta.get_field(c.removesuffix("_id")).column for c in columns)
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        return count
    objs = [model(**dict(zip(columns, row, strict=True))) for row in rows]
    model.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


@transaction.atomic
def _store(
    indicators: list[Indicator],
    *,
    period: Period,
    units: list[Unit],
    amounts: dict[Measure, dict[str, Decimal]],
    now,
    whole: Unit | None = None,
) -> int:
    """Replace the live values of these indicators for these units (`whole`: for every unit
    under it, deleted by prefix in one statement)."""
    codes = [i.code for i in indicators]
    live = IndicatorValue.objects.filter(
        snapshot__isnull=True, period=str(period), indicator_id__in=codes
    )
    if whole is not None:
        live.filter(prefix__startswith=whole.prefix).delete()
    else:
        unit_codes = [u.code for u in units]
        for i in range(0, len(unit_codes), 5000):
            live.filter(unit_code__in=unit_codes[i : i + 5000]).delete()
    prefixes = [u.prefix for u in units]

    def rows():
        for ind in indicators:
            by_prefix = combine_many(ind, amounts, prefixes)
            for u in units:
                v = by_prefix[u.prefix]
                if not v.numerator and not v.denominator:
                    continue  # sparse: a unit with nothing is absent, read as zero
                yield (
                    ind.code,
                    u.code,
                    u.prefix,
                    str(period),
                    v.numerator,
                    v.denominator,
                    v.value,
                    now,
                    None,
                )

    return _insert(IndicatorValue, VALUE_COLUMNS, rows())


def _replace_partials(
    ind: Indicator, *, period: Period, raw: dict[Measure, dict[str, Decimal]], areas=None
) -> None:
    """Replace stored partials (all of the month's, or those of `areas`)."""
    stored = Partial.objects.filter(indicator_code=ind.code, period=str(period))
    if areas is None:
        stored.delete()
    else:
        area_list = list(areas)
        for i in range(0, len(area_list), 5000):
            stored.filter(area_code__in=area_list[i : i + 5000]).delete()
    _insert(
        Partial,
        ("indicator_code", "part", "period", "area_code", "amount"),
        (
            (ind.code, part, str(period), code, amount)
            for part, m in enumerate(ind.measures())
            for code, amount in raw.get(m, {}).items()
            if amount
        ),
    )


def _partials_many(
    indicators: list[Indicator], period: Period
) -> dict[Measure, dict[str, Decimal]]:
    """All stored partials of these indicators for the month, in one query."""
    by_code = {i.code: i.measures() for i in indicators}
    out: dict[Measure, dict[str, Decimal]] = {m: {} for ms in by_code.values() for m in ms}
    rows = Partial.objects.filter(indicator_code__in=list(by_code), period=str(period))
    for code, part, area, amount in rows.values_list(
        "indicator_code", "part", "area_code", "amount"
    ).iterator(chunk_size=20000):
        out[by_code[code][part]][area] = amount
    return out


# A row saved by a transaction that commits after a refresh read the tables carries a
# timestamp from before that refresh started: the next refresh looks back this much further.
# Re-reading a few areas twice costs little; the recomputation is exact either way.
LOOK_BACK = dt.timedelta(minutes=10)


def refresh(
    period: str | Period,
    *,
    codes: Iterable[str] | None = None,
    root: str | None = None,
    since=None,
    full: bool = False,
) -> RefreshRun:
    """Bring the stored live values of `period` up to date for `root` (default: the home city)
    and every unit under it. Incremental when a previous refresh of the month exists (or
    `since` is given), see the module docstring. Refreshes of the same indicators run one at a
    time (the hourly job and a report being frozen may meet)."""
    period = Period.parse(period)
    top = unit(root or home_city())
    indicators = library.all_indicators(None if codes is None else list(codes))
    sync_definitions()
    with transaction.atomic():
        list(
            IndicatorDefinition.objects.select_for_update()
            .filter(code__in=[i.code for i in indicators])
            .order_by("code")
            .values_list("code", flat=True)
        )
        return _refresh(period, indicators, top=top, codes=codes, since=since, full=full)


def _refresh(period: Period, indicators, *, top: Unit, codes, since, full: bool) -> RefreshRun:
    started = timezone.now()
    if since is None and not full:
        last = (
            RefreshRun.objects.filter(
                period=str(period), root_code=top.code, finished_at__isnull=False
            )
            .order_by("-started_at")
            .first()
        )
        # Only indicators that the last run covered can continue incrementally.
        if last is not None:
            since = last.started_at - LOOK_BACK
            covered = set(last.codes)
            if not all(i.code in covered for i in indicators):
                known = [i for i in indicators if i.code in covered]
                fresh = [i for i in indicators if i.code not in covered]
                if fresh:
                    _full(fresh, period=period, top=top, now=started)
                indicators = known
    units = subtree(top)
    run = RefreshRun.objects.create(
        period=str(period),
        root_code=top.code,
        mode=RefreshRun.Mode.FULL if since is None or full else RefreshRun.Mode.INCREMENTAL,
        codes=[i.code for i in library.all_indicators(None if codes is None else list(codes))],
        started_at=started,
    )
    written = touched_count = 0
    if since is None or full:
        written = _full(indicators, period=period, top=top, now=started, units=units)
    else:
        whole = [i for i in indicators if not _incremental(i)]
        if whole:
            written += _full(whole, period=period, top=top, now=started, units=units)
        parts = [i for i in indicators if _incremental(i)]
        touched = _touched_areas(
            [m for i in parts for m in i.measures()], since=since, root=top.prefix
        )
        left = set(
            TouchedArea.objects.filter(
                touched_at__gt=since, area_code__startswith=top.prefix
            ).values_list("area_code", flat=True)
        )
        if left:
            touched = {m: areas | left for m, areas in touched.items()}
        changed = [i for i in parts if any(touched[m] for m in i.measures())]
        if changed:
            n_areas, n_written = _incremental_pass(
                changed, touched=touched, period=period, top=top, units=units, now=started
            )
            touched_count += n_areas
            written += n_written
    RefreshRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), touched_areas=touched_count, values_written=written
    )
    run.refresh_from_db()
    return run


def _incremental_pass(
    changed: list[Indicator], *, touched, period: Period, top: Unit, units: list[Unit], now
) -> tuple[int, int]:
    """Re-read the touched areas once for all changed indicators (an area touched for one table
    is re-read for all: same result, one query per table), patch the partials in memory, and
    write only the partials and the unit values that actually changed."""
    lengths = {u.length for u in units}
    areas = set().union(*(touched[m] for i in changed for m in i.measures()))
    measures = list(dict.fromkeys(m for i in changed for m in i.measures()))
    old = _partials_many(changed, period)
    raw = compute_measures(
        measures, period=period, root=top.prefix, lengths=lengths, areas=areas, raw=True
    )
    new: dict[Measure, dict[str, Decimal]] = {}
    for m in measures:
        patched = dict(old.get(m, {}))
        fresh = raw.get(m, {})
        for a in areas:
            if fresh.get(a):
                patched[a] = fresh[a]
            else:
                patched.pop(a, None)
        new[m] = patched
    written = 0
    rewrite: dict[Indicator, set[str]] = {}
    for ind in changed:
        moved = {
            a for a in areas for m in ind.measures() if old.get(m, {}).get(a, 0) != new[m].get(a, 0)
        }
        if moved:
            rewrite[ind] = moved
    if rewrite:
        _rewrite_partials(rewrite, period=period, new=new)
    for ind, moved in rewrite.items():
        above = {a[:n] for a in moved for n in lengths if n <= len(a)}
        affected = [u for u in units if u.prefix in above]
        rolled = {m: roll_up(new[m], lengths) for m in ind.measures()}
        written += _store([ind], period=period, units=affected, amounts=rolled, now=now)
    return len(areas), written


def _rewrite_partials(
    rewrite: dict[Indicator, set[str]], *, period: Period, new: dict[Measure, dict[str, Decimal]]
) -> None:
    for ind, moved in rewrite.items():
        area_list = sorted(moved)
        stored = Partial.objects.filter(indicator_code=ind.code, period=str(period))
        for i in range(0, len(area_list), 5000):
            stored.filter(area_code__in=area_list[i : i + 5000]).delete()
    _insert(
        Partial,
        ("indicator_code", "part", "period", "area_code", "amount"),
        [
            (ind.code, part, str(period), a, new[m][a])
            for ind, moved in rewrite.items()
            for part, m in enumerate(ind.measures())
            for a in moved
            if new[m].get(a)
        ],
    )


def _full(indicators: list[Indicator], *, period: Period, top: Unit, now, units=None) -> int:
    units = units or subtree(top)
    lengths = {u.length for u in units}
    measures = [m for i in indicators for m in i.measures()]
    raw = compute_measures(measures, period=period, root=top.prefix, lengths=lengths, raw=True)
    amounts: dict[Measure, dict[str, Decimal]] = {}
    for ind in indicators:
        if all(m.additive for m in ind.measures()):
            _replace_partials(ind, period=period, raw=raw)
        for m in ind.measures():
            amounts[m] = roll_up(raw.get(m, {}), lengths) if m.additive else raw.get(m, {})
    return _store(indicators, period=period, units=units, amounts=amounts, now=now, whole=top)


# --- reading stored values --------------------------------------------------------------------


def stored_values(
    codes: Iterable[str] | None,
    *,
    period: str | Period,
    root: str,
    snapshot: Snapshot | None = None,
) -> dict[str, dict[str, Value]]:
    """{code: {unit code: Value}} from the store: live values, or a snapshot's. Units with
    nothing (numerator and denominator 0) are not stored: absent means zero (see `zero`)."""
    period = Period.parse(period)
    top = unit(root)
    qs = IndicatorValue.objects.filter(prefix__startswith=top.prefix)
    qs = qs.filter(snapshot=snapshot) if snapshot else qs.filter(snapshot__isnull=True)
    qs = qs.filter(period=str(period))
    if codes is not None:
        qs = qs.filter(indicator_id__in=list(codes))
    out: dict[str, dict[str, Value]] = defaultdict(dict)
    for code, unit_code, num, den, val in qs.values_list(
        "indicator_id", "unit_code", "numerator", "denominator", "value"
    ):
        out[code][unit_code] = Value(num, den, val)
    return dict(out)


# --- snapshots --------------------------------------------------------------------------------


@transaction.atomic
def freeze(
    period: str | Period,
    *,
    root: str,
    codes: Iterable[str],
    label: str,
    actor: Actor = SYSTEM,
) -> Snapshot:
    """Refresh, then freeze the values of `codes` for `root` and every unit under it."""
    period = Period.parse(period)
    codes = [i.code for i in library.all_indicators(list(codes))]
    top = unit(root)
    refresh(period, codes=codes, root=top.code)
    snap = Snapshot.objects.create(
        period=str(period),
        root_code=top.code,
        label=label[:200],
        codes=codes,
        created_by=actor.name[:150],
    )
    live = IndicatorValue.objects.filter(
        snapshot__isnull=True,
        period=str(period),
        indicator_id__in=codes,
        prefix__startswith=top.prefix,
    )
    _insert(
        IndicatorValue,
        VALUE_COLUMNS,
        # A list, not an iterator: no other query may run on the connection during COPY.
        [(*row, snap.pk) for row in live.values_list(*VALUE_COLUMNS[:-1])],
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="indicators.Snapshot",
        object_id=snap.pk,
        object_label=f"{snap.label} {snap.period}",
        changes={"codes": codes, "root": top.code},
    )
    return snap


def zero(code: str) -> Value:
    """The Value of a unit with nothing: 0, or for a ratio 0/0 with no value."""
    if library.get(code).is_ratio:
        return Value(ZERO, ZERO, None)
    return Value(ZERO, None, ZERO)


@dataclass(frozen=True)
class Difference:
    code: str
    unit_code: str
    frozen: Value | None
    live: Value | None

    @property
    def change(self) -> Decimal | None:
        if self.frozen is None or self.live is None:
            return None
        if self.frozen.value is None or self.live.value is None:
            return None
        return self.live.value - self.frozen.value


def diff(snapshot: Snapshot, *, refresh_first: bool = True) -> list[Difference]:
    """The figures of a snapshot that differ from the live values now (numerator, denominator
    or value), in code / unit order."""
    if refresh_first:
        refresh(snapshot.period, codes=snapshot.codes, root=snapshot.root_code)
    frozen = stored_values(
        snapshot.codes, period=snapshot.period, root=snapshot.root_code, snapshot=snapshot
    )
    live = stored_values(snapshot.codes, period=snapshot.period, root=snapshot.root_code)
    out = []
    for code in snapshot.codes:
        f, lv = frozen.get(code, {}), live.get(code, {})
        for unit_code in sorted(set(f) | set(lv)):
            a, b = f.get(unit_code, zero(code)), lv.get(unit_code, zero(code))
            if not _same(a, b):
                out.append(Difference(code, unit_code, a, b))
    return out


def _same(a: Value | None, b: Value | None) -> bool:
    def norm(v: Value | None):
        if v is None:
            return (ZERO, None, None)
        return (
            Decimal(v.numerator),
            None if v.denominator is None else Decimal(v.denominator),
            None if v.value is None else Decimal(v.value),
        )

    return norm(a) == norm(b)
