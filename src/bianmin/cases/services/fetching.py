"""数据多跑路 at intake: what shared data and e-certificates can supply is fetched before the
materials are checked, so the one-time notice asks for exactly what could not be fetched —
with the reason — and never for what was.

Order (every channel): the precheck without sharing (an ineligible applicant is refused
before anybody's data is read), `fetch` (reads, writes nothing), the precheck with its
outcome, the case written, then `sharing.record_fetched` logs the reads against the case in
the same transaction. The window's live precheck and `POST /api/v1/cases/precheck/` ask the
gate only (`preview`): grants, consent and providers are known before anything is read; a
holder without a record shows up at intake.
"""

from __future__ import annotations

import datetime as dt

from bianmin.cases.models import Case
from bianmin.cases.services.precheck import Applicant, Precheck
from bianmin.core.audit import Actor
from bianmin.sharing.services import Fetched, fetch_materials, fetched_of, record_fetched

Fetches = dict[str, Fetched]


def fetch(
    *, actor: Actor, checked: Precheck, applicant: Applicant, preview: bool = False
) -> tuple[Precheck, Fetches]:
    """Fetch what sharing should supply for this application; the precheck with the outcome,
    and the fetches to record once the case exists (`record`)."""
    wanted = checked.to_fetch()
    if not wanted:
        return checked, {}
    fetched = fetch_materials(
        actor=actor,
        item=checked.item,
        person=applicant.person,
        organisation=applicant.organisation,
        materials=wanted,
        preview=preview,
    )
    return checked.with_fetched(fetched), fetched


def record(*, actor: Actor, case: Case, fetched: Fetches, at: dt.datetime) -> None:
    if fetched:
        record_fetched(actor=actor, case=case, fetched=fetched.values(), at=at)


def refetch(*, actor: Actor, case: Case, checked: Precheck, at: dt.datetime) -> Precheck:
    """For a case already on file (accept, 补正, resubmission): what sharing has not supplied
    yet is asked again — consent may have been given, a grant made — and recorded; the
    precheck then reflects every fetch of the case."""
    done = fetched_of(case)
    again = [m for m in checked.to_fetch() if not (m.code in done and done[m.code].found)]
    if again:
        fetched = fetch_materials(
            actor=actor,
            item=checked.item,
            person=case.applicant_person,
            organisation=case.applicant_org,
            materials=again,
        )
        record_fetched(actor=actor, case=case, fetched=fetched.values(), at=at)
        done.update(fetched)
    return checked.with_fetched(done) if done else checked
