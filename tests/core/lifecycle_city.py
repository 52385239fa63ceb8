"""A small city with a row in every register a life event reaches, and the actions the
property-style test draws from: life events (death, move, move-out, the window's edits and
corrections) and the ordinary work that keeps filling the registers (cases, household members,
bookings, queue tickets, programs, health records, contracts, referrals, certificates, portal
accounts, complaints) — all through the services."""

from __future__ import annotations

import datetime as dt
import itertools
import random

from django.core.exceptions import ValidationError

from bianmin.certificates.from_cases import data_from_registers
from bianmin.certificates.models import Certificate, CertificateType
from bianmin.certificates.services import issue_certificate
from bianmin.core import crypto
from bianmin.evaluation.services import answer_complaint, submit_complaint, verify_complaint
from bianmin.exchange.models import HeadVacancy
from bianmin.health.models import Contract, ContractStatus, HealthRecord, RecordStatus
from bianmin.health.services import care, records
from bianmin.portal.models import ResidentAccount
from bianmin.portal.services.accounts import open_account
from bianmin.programs.models import EnrolmentStatus
from bianmin.programs.services import define_program, enrol
from bianmin.queueing import services as queue
from bianmin.registry.access import actor_for
from bianmin.registry.models import LifeStatus, Person
from bianmin.registry.services import lifeevents
from bianmin.registry.services.people import add_member, set_life_status, update_person
from tests import factories
from tests.cases import builders
from tests.certificates.conftest import make_issuer
from tests.conftest import BAOCHENG, DAZHI_STREET, TAINING
from tests.exchange.helpers import ACTOR, family
from tests.health.conftest import institution_of
from tests.queueing.conftest import build_hall

LIFE_EVENTS = ["death", "move", "move_out", "window_move", "window_death", "correct"]
WORK = [
    "case",
    "member",
    "appoint",
    "book",
    "ticket",
    "enrol",
    "record",
    "contract",
    "refer",
    "certificate",
    "account",
    "complaint",
]


class SmallCity:
    """Three households in two communities of 大智街道, a hall, a health centre with a team per
    community, a city hospital, a program, an issuing authority."""

    def __init__(self, today: dt.date, rng: random.Random):
        self.today, self.rng = today, rng
        self.clerk = actor_for(factories.staff("seq_clerk", role="clerk", division=DAZHI_STREET))
        doctor = factories.staff(
            "seq_doctor", role="doctor", division=DAZHI_STREET, department="WJ"
        )
        self.centre = institution_of(doctor)
        self.hospital = _city_hospital()
        self.teams = {
            community: care.create_team(
                actor=ACTOR, institution=self.centre, name=f"{community}团队", area_code=community
            )
            for community in (BAOCHENG, TAINING)
        }
        self.item = builders.item("MZ-GLJT-SEQ")
        self.grids = [
            factories.grid(BAOCHENG, 1),
            factories.grid(BAOCHENG, 2),
            factories.grid(TAINING, 1),
        ]
        self.families = [family(), family(), family(TAINING)]
        self.hall = build_hall(ACTOR)
        days = [today + dt.timedelta(days=n) for n in (0, 1, 9, 10)]  # 9-29, 9-30, 10-08, 10-09
        self.slots = [
            queue.create_slot(
                actor=ACTOR,
                category=self.hall.a,
                date=day,
                start=dt.time(14),
                end=dt.time(14, 30),
                capacity=20,
            )
            for day in days
        ]
        self.program = define_program(
            actor=ACTOR,
            code="seq-visit",
            name="关爱走访（测试）",
            sector="elderly",
            eligibility={"min_age": 18},
            schedule_kind="every_n_months",
            interval_months=1,
            form_schema=[{"key": "safe", "label": "居住安全", "type": "bool", "required": True}],
            responsible_role="grid",
        )
        self.issuer = make_issuer("MZ", body9="022222226")
        self.elderly_card = CertificateType.objects.get(pk="elderly_card")
        self.numbers = itertools.count(1)

    # --- the draw ---------------------------------------------------------------------------

    def living(self) -> list[Person]:
        return list(Person.unscoped.filter(life_status=LifeStatus.ALIVE).order_by("pk"))

    def step(self, action: str, person: Person) -> None:
        """One action on one living person; work that the services refuse for a good reason
        (a booking on a full day, a referral for a closed record…) is simply not done."""
        try:
            getattr(self, f"_{action}")(person)
        except ValidationError as e:
            if not set(_codes(e)) <= EXPECTED_REFUSALS:
                raise

    def _day(self) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(0, 20))

    # --- life events ------------------------------------------------------------------------

    def _death(self, person: Person) -> None:
        day = self._day()
        lifeevents.record_death(actor=ACTOR, person=person, died_on=day, source="公安推送")
        if self.rng.random() < 0.3:  # told again by another department
            lifeevents.record_death(actor=ACTOR, person=person, died_on=day, source="卫健推送")

    def _move(self, person: Person) -> None:
        grid = self.rng.choice(self.grids)
        lifeevents.record_move(
            actor=ACTOR, person=person, moved_on=self._day(), source="公安推送", grid=grid.code
        )

    def _move_out(self, person: Person) -> None:
        lifeevents.record_move_out(
            actor=ACTOR, person=person, moved_on=self._day(), source="公安推送"
        )

    def _window_move(self, person: Person) -> None:
        """The clerk's edit form changes the grid: a MOVE through `update_person`."""
        update_person(actor=self.clerk, person=person, grid=self.rng.choice(self.grids).code)

    def _window_death(self, person: Person) -> None:
        status = self.rng.choice([LifeStatus.DECEASED, LifeStatus.MOVED_OUT])
        set_life_status(
            actor=self.clerk, person=person, status=status, date=self._day(), source="窗口登记"
        )

    def _correct(self, _person: Person) -> None:
        """A death or move-out recorded in error, corrected back to alive at the window."""
        gone = Person.unscoped.exclude(life_status=LifeStatus.ALIVE).order_by("pk").first()
        if gone is not None:
            set_life_status(
                actor=self.clerk,
                person=gone,
                status=LifeStatus.ALIVE,
                date=self.today,
                source="窗口更正",
            )

    # --- ordinary work ----------------------------------------------------------------------

    def _case(self, person: Person) -> None:
        from bianmin.cases.services import intake
        from bianmin.cases.services.precheck import Applicant

        if person.age_on(self.today) >= 18:
            intake.take_in(
                actor=self.clerk,
                item=self.item,
                applicant=Applicant(person=person),
                provided=builders.COMPLETE,
                channel="window",
            )

    def _member(self, _person: Person) -> None:
        fam = self.rng.choice(self.families)
        newcomer = factories.person(community=BAOCHENG, name=f"新成员{next(self.numbers)}")
        add_member(actor=ACTOR, household=fam.household, person=newcomer, relationship="99")

    def _appoint(self, _person: Person) -> None:
        vacancy = HeadVacancy.objects.filter(filled_by__isnull=True).first()
        if vacancy is None:
            return
        candidates = Person.unscoped.filter(
            household=vacancy.household, life_status=LifeStatus.ALIVE
        )
        if candidates.exists():
            lifeevents.appoint_head(
                actor=ACTOR, household=vacancy.household, person=candidates.first()
            )

    def _book(self, person: Person) -> None:
        queue.book_appointment(
            actor=ACTOR,
            slot=self.rng.choice(self.slots),
            id_number=crypto.decrypt(person.id_cipher),
            name=person.name,
            phone="13912340000",
        )

    def _ticket(self, person: Person) -> None:
        queue.take_ticket(
            actor=ACTOR, category=self.hall.b, id_number=crypto.decrypt(person.id_cipher)
        )

    def _enrol(self, person: Person) -> None:
        if person.age_on(self.today) >= 18 and not person.enrolments.filter(
            status=EnrolmentStatus.ACTIVE
        ):
            enrol(actor=ACTOR, program=self.program, person=person, enrolled_on=self.today)

    def _record(self, person: Person) -> None:
        if not HealthRecord.unscoped.filter(person=person).exists():
            records.open_record(
                actor=ACTOR, person=person, opened_on=self.today, institution=self.centre
            )

    def _contract(self, person: Person) -> None:
        record = HealthRecord.unscoped.filter(person=person, status=RecordStatus.ACTIVE).first()
        team = self.teams.get(person.area_code[:12])
        if record is None or team is None:
            return
        if not Contract.unscoped.filter(record=record, status=ContractStatus.ACTIVE).exists():
            care.sign_contract(actor=ACTOR, record=record, team=team, signed_on=self.today)

    def _refer(self, person: Person) -> None:
        record = HealthRecord.unscoped.filter(person=person, status=RecordStatus.ACTIVE).first()
        if record is not None:
            care.request_referral(
                actor=ACTOR,
                record=record,
                from_institution=self.centre,
                to_institution=self.hospital,
                reason="病情需要上级医院诊治",
                diagnosis_icd10="I10",
                requested_on=self.today,
            )

    def _certificate(self, person: Person) -> None:
        if person.age_on(self.today) >= 60 and not Certificate.unscoped.filter(
            holder_person=person, status="valid"
        ):
            issue_certificate(
                actor=ACTOR,
                type_code=self.elderly_card.code,
                holder=person,
                issuer=self.issuer,
                data=data_from_registers(self.elderly_card, person, on=self.today),
                issued_on=self.today,
            )

    def _account(self, person: Person) -> None:
        if not ResidentAccount.objects.filter(person=person).exists():
            open_account(person=person, phone=None, provider="phone_password", password=None)

    def _complaint(self, person: Person) -> None:
        """A complaint answered and waiting for the complainant's word (回访)."""
        complaint = submit_complaint(
            actor=self.clerk,
            channel="window",
            complainant_name=person.name,
            content="窗口午休时间无人值守",
            subject_kind="general",
            person=person,
        ).complaint
        if complaint.status == "verify":
            verify_complaint(actor=self.clerk, complaint=complaint, founded=False, notes="已核实")
            answer_complaint(actor=self.clerk, complaint=complaint, answer="午休期间设有值班窗口")


# Refusals the draw runs into on purpose: nothing to check there but that nothing changed.
EXPECTED_REFUSALS = {
    "already_booked",  # one booking a day
    "applicant_deceased",
    "record_closed",
    "team_area",
    "not_eligible",
}


def _codes(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [e.code for errors in error.error_dict.values() for e in errors]
    return [e.code for e in error.error_list]


def _city_hospital():
    from bianmin.health.models import Institution, InstitutionLevel
    from bianmin.registry.models import Division, OrgUnit

    unit = OrgUnit.objects.create(
        code="WSY-CITY-SEQ",
        name="武汉市中心医院",
        kind="health",
        division=Division.objects.get(code="420102"),
    )
    return Institution.objects.create(org_unit=unit, level=InstitutionLevel.CITY, area_code="4201")
