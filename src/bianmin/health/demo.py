"""Demo health records for `bianmin seed`: most residents of the demo city filed at their
street's health centre, with realistic prevalence (hypertension ~25% of people 35+, type-2
diabetes ~10%), a year of follow-ups and check-ups, encounters, referrals to city hospitals,
family-doctor contracts, and the key-population programs defined on the programs engine.

Bulk inserts (this is seed data for thousands of people, written as the system), with the same
code rule and counters the services use, so records opened later continue the serials."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from bianmin.core.audit import SYSTEM
from bianmin.health.models import (
    CheckKind,
    Condition,
    ConditionCategory,
    Contract,
    Encounter,
    EncounterKind,
    FamilyDoctorTeam,
    HealthCheck,
    HealthRecord,
    HistoryEntry,
    HistoryKind,
    Institution,
    InstitutionLevel,
    RecordCounter,
    Referral,
    ReferralDirection,
    ReferralStatus,
)
from bianmin.registry.models import Division, DivisionLevel, LifeStatus, OrgUnit, Person

CITY_HOSPITALS = [
    ("WSY-CITY-1", "武汉市中心医院", "420102", "江岸区胜利街26号", "027-82211114"),
    ("WSY-CITY-2", "武汉市第一医院", "420104", "硚口区中山大道215号", "027-85855000"),
]
HTN = [("I10", "原发性高血压")]
T2D = [("E11.9", "2型糖尿病，不伴有并发症")]
OTHER = [("J44.9", "慢性阻塞性肺疾病"), ("I25.1", "动脉粥样硬化性心脏病"), ("M17.9", "膝关节病")]
FAMILY = [("I10", "高血压"), ("E11", "糖尿病"), ("C16", "胃恶性肿瘤"), ("I64", "脑卒中")]
REASONS = [
    "血压控制不佳，需调整治疗方案",
    "血糖控制不佳，需专科诊治",
    "胸痛待查",
    "需进一步影像检查",
]


def _institutions(log) -> dict[str, Institution]:
    """One Institution per health OrgUnit of the demo (street health centres), plus two city
    hospitals; returns {street prefix: institution}."""
    by_street: dict[str, Institution] = {}
    for unit in OrgUnit.objects.filter(kind="health").select_related("division"):
        level = InstitutionLevel.CENTRAL if "中心卫生院" in unit.name else InstitutionLevel.TOWNSHIP
        inst, _ = Institution.objects.get_or_create(
            org_unit=unit, defaults={"level": level, "area_code": unit.division.prefix}
        )
        by_street[unit.division.prefix] = inst
    for code, name, district, address, phone in CITY_HOSPITALS:
        division = Division.objects.filter(code=district).first()
        if division is None:
            continue
        unit, _ = OrgUnit.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": "health",
                "division": division,
                "department_id": "WJ",
                "address": address,
                "phone": phone,
            },
        )
        Institution.objects.get_or_create(
            org_unit=unit, defaults={"level": InstitutionLevel.CITY, "area_code": "4201"}
        )
    log(f"health: {len(by_street)} 基层医疗卫生机构, {len(CITY_HOSPITALS)} 市级医院")
    return by_street


def load_demo_health(
    *, seed: int, log, programs: bool = True, today: dt.date | None = None
) -> None:
    """`today` (default the real one) is the day the histories end at: tests pass a day in the
    middle of a year to see the figures a supervisor sees then."""
    rng = random.Random(f"{seed}:health")
    today = today or timezone.localdate()
    by_street = _institutions(log)
    hospitals = list(Institution.objects.filter(level=InstitutionLevel.CITY))
    villages = {
        d.code: d
        for d in Division.objects.filter(level=DivisionLevel.VILLAGE, code__startswith="4201")
    }
    people = list(
        Person.unscoped.filter(life_status=LifeStatus.ALIVE, residence_division__isnull=False)
        .exclude(health_record__isnull=False)
        .only("id", "birth_date", "area_code", "residence_division_id", "sex")
        .order_by("id")
    )
    counters = dict(RecordCounter.objects.values_list("village_id", "last_serial"))
    new: list[HealthRecord] = []
    for p in people:
        village = villages.get(p.residence_division_id)
        institution = by_street.get(p.residence_division_id[:9]) if village else None
        if institution is None or rng.random() > 0.85:  # about 85% filed
            continue
        serial = counters.get(village.code, 0) + 1
        counters[village.code] = serial
        opened = today - dt.timedelta(days=rng.randint(30, 6 * 365))
        opened = max(opened, p.birth_date)
        full = rng.random() < 0.8
        new.append(
            HealthRecord(
                person_id=p.pk,
                record_code=f"{village.code}{serial:05d}",
                village_id=village.code,
                area_code=p.area_code,
                institution=institution,
                responsible_doctor="",
                electronic=rng.random() < 0.92,
                blood_type=rng.choice(["A", "B", "O", "AB"]) if full else "",
                payment_type=rng.choice(["employee", "resident", "resident"]) if full else "",
                history_reviewed=full,
                opened_on=opened,
            )
        )
    HealthRecord.objects.bulk_create(new, batch_size=1000)
    for village, last in counters.items():
        RecordCounter.objects.update_or_create(village_id=village, defaults={"last_serial": last})
    records = list(
        HealthRecord.unscoped.filter(person_id__in=[r.person_id for r in new]).select_related(
            "person", "institution", "village"
        )
    )
    _clinical(rng, records, hospitals, today)
    _contracts(rng, records, by_street, today)
    log(f"health: {len(records)} 份健康档案")
    if programs:
        from bianmin.health.programs import ensure_programs
        from bianmin.programs.services import auto_enrol_sweep

        ensure_programs(actor=SYSTEM)
        # Enrolled most of a year ago (the histories above are that old), then today for
        # those who became eligible since; the latest follow-up of each filed as its visit.
        swept = auto_enrol_sweep(on=today - dt.timedelta(days=330))
        auto_enrol_sweep(on=today)
        log(f"health: 随访项目纳入 {swept}, 随访记录 {_visits(today)}")


def _bp(rng, controlled: bool) -> tuple[int, int]:
    if controlled:
        return rng.randint(112, 138), rng.randint(68, 88)
    return rng.randint(141, 178), rng.randint(88, 104)


def _clinical(rng, records, hospitals, today) -> None:
    conditions, history, checks, encounters, referrals = [], [], [], [], []
    year_start = today.replace(month=1, day=1)
    for r in records:
        age = r.person.age_on(today)
        inst = r.institution
        htn = age >= 35 and rng.random() < 0.25
        t2d = age >= 35 and rng.random() < 0.10
        for flag, choices in ((htn, HTN), (t2d, T2D)):
            if flag:
                icd, name = rng.choice(choices)
                onset = max(
                    r.person.birth_date + dt.timedelta(days=35 * 365),
                    today - dt.timedelta(days=rng.randint(200, 3650)),
                )
                conditions.append(
                    Condition(
                        record=r,
                        icd10=icd,
                        name=name,
                        onset_on=min(onset, today),
                        category=ConditionCategory.HYPERTENSION
                        if icd.startswith("I1")
                        else ConditionCategory.DIABETES,
                    )
                )
        if age >= 50 and rng.random() < 0.08:
            icd, name = rng.choice(OTHER)
            conditions.append(
                Condition(
                    record=r,
                    icd10=icd,
                    name=name,
                    category=ConditionCategory.OTHER,
                    onset_on=today - dt.timedelta(days=rng.randint(60, 2000)),
                )
            )
        if r.history_reviewed and rng.random() < 0.3:
            icd, name = rng.choice(FAMILY)
            history.append(
                HistoryEntry(
                    record=r,
                    kind=HistoryKind.FAMILY,
                    name=name,
                    icd10=icd,
                    relation=rng.choice(["father", "mother", "sibling"]),
                )
            )
        if r.history_reviewed and rng.random() < 0.05:
            history.append(HistoryEntry(record=r, kind=HistoryKind.ALLERGY, name="青霉素"))
        # A check-up on file for the records filled in completely (they are the 合格 ones).
        if r.history_reviewed and r.blood_type:
            day = max(r.opened_on, today - dt.timedelta(days=rng.randint(0, 500)))
            kind = CheckKind.ELDERLY if age >= 65 else CheckKind.ANNUAL
            s, d = _bp(rng, rng.random() < 0.7)
            checks.append(
                HealthCheck(
                    record=r,
                    kind=kind,
                    checked_on=day,
                    systolic=s,
                    diastolic=d,
                    heart_rate=rng.randint(60, 90),
                    fasting_glucose=Decimal(str(round(rng.uniform(4.2, 6.8), 1))),
                    height_cm=Decimal(rng.randint(150, 182)),
                    weight_kg=Decimal(rng.randint(45, 90)),
                    institution=inst,
                    doctor="家庭医生",
                )
            )
        if age >= 65 and rng.random() < 0.7:
            day = year_start + dt.timedelta(days=rng.randint(0, max(0, (today - year_start).days)))
            s, d = _bp(rng, rng.random() < 0.7)
            checks.append(
                HealthCheck(
                    record=r,
                    kind=CheckKind.ELDERLY,
                    checked_on=day,
                    systolic=s,
                    diastolic=d,
                    institution=inst,
                    doctor="家庭医生",
                )
            )
        if htn or t2d:
            controlled = rng.random() < 0.65
            visits = rng.choice([2, 3, 4, 4, 4, 5])
            for i in range(visits):
                day = today - dt.timedelta(days=30 + i * 85 + rng.randint(0, 20))
                if day < r.opened_on:
                    break
                s, d = _bp(rng, controlled)
                glucose = (
                    Decimal(
                        str(
                            round(
                                rng.uniform(5.2, 6.9) if controlled else rng.uniform(7.1, 11.5), 1
                            )
                        )
                    )
                    if t2d
                    else None
                )
                checks.append(
                    HealthCheck(
                        record=r,
                        kind=CheckKind.FOLLOW_UP,
                        checked_on=day,
                        systolic=s,
                        diastolic=d,
                        fasting_glucose=glucose,
                        face_to_face=rng.random() < 0.9,
                        institution=inst,
                        doctor="家庭医生",
                    )
                )
        if rng.random() < 0.35:
            for _ in range(rng.randint(1, 3)):
                day = today - dt.timedelta(days=rng.randint(1, 360))
                if day < r.opened_on:
                    continue
                icd, name = HTN[0] if htn else T2D[0] if t2d else ("J06.9", "急性上呼吸道感染")
                encounters.append(
                    Encounter(
                        record=r,
                        kind=EncounterKind.OUTPATIENT,
                        institution=inst,
                        started_on=day,
                        diagnosis_icd10=icd,
                        diagnosis_name=name,
                        doctor="门诊医生",
                    )
                )
                if hospitals and rng.random() < 0.12:
                    to = rng.choice(hospitals)
                    status = rng.choice(
                        [
                            ReferralStatus.REQUESTED,
                            ReferralStatus.ACCEPTED,
                            ReferralStatus.COMPLETED,
                            ReferralStatus.COMPLETED,
                        ]
                    )
                    referrals.append(
                        Referral(
                            record=r,
                            direction=ReferralDirection.UP,
                            from_institution=inst,
                            to_institution=to,
                            reason=rng.choice(REASONS),
                            diagnosis_icd10=icd,
                            status=status,
                            requested_on=day,
                            responded_on=day + dt.timedelta(days=1)
                            if status != "requested"
                            else None,
                            completed_on=min(today, day + dt.timedelta(days=7))
                            if status == "completed"
                            else None,
                        )
                    )
                    if status == ReferralStatus.COMPLETED and rng.random() < 0.6:
                        referrals.append(
                            Referral(
                                record=r,
                                direction=ReferralDirection.DOWN,
                                from_institution=to,
                                to_institution=inst,
                                reason="病情稳定，转回社区继续管理",
                                diagnosis_icd10=icd,
                                status=ReferralStatus.ACCEPTED,
                                requested_on=min(today, day + dt.timedelta(days=7)),
                                responded_on=min(today, day + dt.timedelta(days=8)),
                            )
                        )
    Condition.objects.bulk_create(conditions, batch_size=1000)
    HistoryEntry.objects.bulk_create(history, batch_size=1000)
    HealthCheck.objects.bulk_create(checks, batch_size=1000)
    Encounter.objects.bulk_create(encounters, batch_size=1000)
    Referral.objects.bulk_create(referrals, batch_size=1000)
    with_check = set(HealthCheck.unscoped.values_list("record_id", flat=True).distinct())
    complete = [
        r.pk
        for r in records
        if r.pk in with_check and r.blood_type and r.payment_type and r.history_reviewed
    ]
    HealthRecord.unscoped.filter(pk__in=complete).update(complete=True)


def _contracts(rng, records, by_street, today) -> None:
    teams: dict[str, FamilyDoctorTeam] = {}
    by_village = defaultdict(list)
    for r in records:
        by_village[r.village_id].append(r)
    contracts = []
    for village, rs in by_village.items():
        inst = rs[0].institution
        team = teams.get(village) or FamilyDoctorTeam.objects.create(
            institution=inst, name=f"{rs[0].village.name}家庭医生团队", area_code=village
        )
        teams[village] = team
        for r in rs:
            age = r.person.age_on(today)
            if rng.random() < (0.7 if age >= 65 else 0.3):
                signed = today - dt.timedelta(days=rng.randint(0, 300))
                signed = max(signed, r.opened_on)
                contracts.append(
                    Contract(
                        record=r,
                        team=team,
                        signed_on=signed,
                        starts_on=signed,
                        ends_on=signed + dt.timedelta(days=364),
                        package="老年人服务包" if age >= 65 else "基础服务包",
                    )
                )
    Contract.objects.bulk_create(contracts, batch_size=1000)


def _visits(today: dt.date) -> int:
    """The latest follow-up (chronic programs) or this year's check-up (65+) of each enrolled
    record, recorded through the engine's `record_visit` so the schedule moves as it would
    have, and linked from the record's measurement."""
    from bianmin.programs.models import Enrolment
    from bianmin.programs.services import record_visit

    plans = {
        "health-hypertension": (CheckKind.FOLLOW_UP, "systolic"),
        "health-t2d": (CheckKind.FOLLOW_UP, "fasting_glucose"),
        "health-elderly": (CheckKind.ELDERLY, "systolic"),
    }
    done = 0
    for code, (kind, needed) in plans.items():
        enrolments = Enrolment.unscoped.filter(program__code=code, status="active").select_related(
            "program"
        )
        by_person = {e.person_id: e for e in enrolments}
        checks = (
            HealthCheck.unscoped.filter(
                record__person_id__in=list(by_person),
                kind=kind,
                **{f"{needed}__isnull": False},
            )
            .select_related("record")
            .order_by("record_id", "-checked_on", "-id")
        )
        seen: set[int] = set()
        for check in checks:
            enrolment = by_person[check.record.person_id]
            if check.record_id in seen or check.checked_on < enrolment.enrolled_on:
                continue
            seen.add(check.record_id)
            data = {"sbp": check.systolic, "dbp": check.diastolic}
            if code == "health-t2d":
                data["glucose"] = str(check.fasting_glucose)
            if code != "health-elderly":
                good = check.systolic < 140 and (
                    check.fasting_glucose is None or check.fasting_glucose < 7
                )
                data["control"] = "good" if good else "poor"
            visit = record_visit(
                actor=SYSTEM,
                enrolment=enrolment,
                visited_on=check.checked_on,
                kind="clinic" if check.face_to_face else "phone",
                data=data,
                outcome="continue" if code != "health-elderly" else "",
            )
            HealthCheck.unscoped.filter(pk=check.pk).update(program_visit_id=visit.pk)
            done += 1
    return done
