"""多证联办 read back: the one notice of a bundle application, built from its cases' own
records (each case's events keep its part), in the application's state — the one-time
notice of a return, the refusal with each item's problems, the acceptance, and once every
item is decided or ended, the result listing each item's outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bianmin.cases.models import Case, CaseEvent, CaseStatus, Decision, EventAction
from bianmin.cases.services.bundle_results import FINISHED


@dataclass
class BundleNotice:
    kind: str  # "supplement" | "refusal" | "acceptance" | "result" | "waiting"
    cases: list[Case]
    missing: list[dict[str, Any]] = field(default_factory=list)
    conditional: list[dict[str, Any]] = field(default_factory=list)
    shared: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    reason: str = ""
    event: CaseEvent | None = None

    @property
    def any_denied(self) -> bool:
        return any(c.decision == Decision.DENIED for c in self.cases)


def _last(events: list[CaseEvent], *actions: str) -> CaseEvent | None:
    found = [e for e in events if e.action in actions]
    return found[-1] if found else None


def bundle_notice(cases: list[Case]) -> BundleNotice:
    """The application's notice. `cases`: its cases in intake order (already scope-checked)."""
    events = {
        c.pk: list(c.events.order_by("at", "id")) for c in cases
    }  # a handful of cases: one query each keeps it plain
    statuses = {c.status for c in cases}
    if all(c.accepted_at is not None for c in cases):
        kind = "result" if all(c.status in FINISHED for c in cases) else "acceptance"
        return BundleNotice(kind, cases)
    if statuses == {CaseStatus.NOT_ACCEPTED}:
        notice = BundleNotice("refusal", cases)
        for case in cases:
            event = _last(events[case.pk], EventAction.NOT_ACCEPTED)
            if event is None:
                continue
            notice.event = notice.event or event
            notice.reason = notice.reason or event.reason
            for p in (event.data or {}).get("problems", []):
                notice.problems.append(f"{case.item.name}：{p}")
        return notice
    if statuses != {CaseStatus.RETURNED}:
        return BundleNotice("waiting", cases)  # resubmitted, waiting for the clerk's precheck
    notice = BundleNotice("supplement", cases)
    missing: dict[str, dict[str, Any]] = {}
    conditional: dict[str, dict[str, Any]] = {}
    shared: dict[str, dict[str, Any]] = {}
    reasons: list[str] = []
    fallbacks: list[str] = []
    for case in cases:
        event = _last(events[case.pk], EventAction.RETURNED)
        if event is None:
            continue
        notice.event = notice.event or event
        data = (event.data or {}).get("notice") or {}
        # An item with nothing missing of its own carries a stand-in reason
        # (`bundles.member_reason`); the clerk's own is on the others, or on every item.
        (reasons if data.get("missing") else fallbacks).append(event.reason)
        for m in data.get("missing", []):
            row = missing.setdefault(m.get("code") or m["name"], {**m, "items": []})
            row["items"].append(case.item.name)
        for m in data.get("conditional", []):
            conditional.setdefault(m.get("code") or m["name"], m)
        for m in data.get("shared", []):
            shared.setdefault(m.get("code") or m["name"], m)
    notice.reason = next((r for r in reasons if r), "") if missing else (fallbacks or [""])[0]
    # A material one item still needs is asked for, whatever another item's list says.
    notice.missing = list(missing.values())
    notice.conditional = [m for k, m in conditional.items() if k not in missing and k not in shared]
    notice.shared = [m for k, m in shared.items() if k not in missing]
    return notice
