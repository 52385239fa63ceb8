"""Cases' part of a life event.

DEATH of an applicant (a natural person): every open case ends, through the case services —

- a case whose result was already delivered (`delivered`) is closed (办结): the matter is done;
- every other open case is terminated (终止) with the reason 申请人死亡.

One rule, not "suspend where a successor may continue": the catalogue does not record which
matters pass to heirs (继承人), and 《行政许可法》第七十条 lists the death of the natural person
as a ground to end a licence that confers a personal qualification. An heir applies afresh.

The check: no open case may have a deceased applicant.
"""

from __future__ import annotations

from collections.abc import Iterator

from bianmin.cases.models import OPEN_STATES, Case, CaseStatus
from bianmin.core import lifecycle
from bianmin.core.lifecycle import Contradiction, LifeEvent
from bianmin.registry.models import LifeStatus

DEATH_REASON = "申请人死亡"


def end_cases_of_deceased(event: LifeEvent, actor) -> str | None:
    from bianmin.cases.services import handling

    open_cases = Case.unscoped.filter(
        applicant_person_id=event.person_id, status__in=OPEN_STATES
    ).order_by("pk")
    terminated, closed = [], []
    for case in open_cases:
        if case.status == CaseStatus.DELIVERED:
            handling.close(actor=actor, case=case, by_system=True)
            closed.append(case.case_no)
        else:
            handling.terminate(actor=actor, case=case, reason=DEATH_REASON, by_system=True)
            terminated.append(case.case_no)
    if not terminated and not closed:
        return None
    parts = []
    if terminated:
        parts.append(
            f"终止办件{len(terminated)}件（{'、'.join(terminated)}），原因：{DEATH_REASON}"
        )
    if closed:
        parts.append(f"已送达办件办结{len(closed)}件（{'、'.join(closed)}）")
    return "；".join(parts)


def check_open_cases() -> Iterator[Contradiction]:
    rows = Case.unscoped.filter(
        status__in=OPEN_STATES, applicant_person__life_status=LifeStatus.DECEASED
    ).values_list("pk", "case_no", "status", "applicant_person_id")
    for pk, case_no, status, person_id in rows:
        yield Contradiction(
            check="cases.open_case_of_deceased",
            model="cases.Case",
            pk=pk,
            person_id=person_id,
            message=f"办件{case_no}状态为{CaseStatus(status).label}，申请人已死亡",
        )


def register() -> None:
    lifecycle.register_handler(lifecycle.DEATH, "cases.open_cases", end_cases_of_deceased, order=20)
    lifecycle.register_check("cases.open_case_of_deceased", check_open_cases)
