"""一号: the applicant by one number — a citizen ID number (人口库) or a unified social credit
code (法人库) — and the audit entry of that look-up.

Deliberately not limited to the clerk's area: any centre takes any resident's application
(全域通办), and the applicant presenting the number is why it is looked up; the read is
audited with that purpose (受理申请) instead.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext_lazy as _

from bianmin.cases.services.precheck import Applicant
from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.identifiers import parse_credit_code
from bianmin.core.models import AuditAction
from bianmin.registry.models import Organisation, Person
from bianmin.registry.services.people import hash_of, person_label

_person_sql: dict[str, str] = {}


def _person_by_hash(digest: str) -> Person | None:
    """The person with this ID hash (unique): the ORM's statement, compiled once per process
    — intake asks it for every application, and compiling it costs more than running it."""
    sql = _person_sql.get(connection.vendor)
    if sql is None:
        sql, _params = Person.unscoped.filter(id_hash="").query.sql_with_params()
        _person_sql[connection.vendor] = sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [digest])
        row = cursor.fetchone()
    if row is None:
        return None
    return Person.from_db(connection.alias, _PERSON_FIELDS, row)


_PERSON_FIELDS = [f.attname for f in Person._meta.concrete_fields]


def find_applicant(*, id_number: str = "", credit_code: str = "") -> Applicant:
    """一号: the applicant by citizen ID number or unified social credit code, without the
    audit entry — the caller records it with `audit_lookup` (`identify_applicant` does both).

    Deliberately not limited to the clerk's area: any centre takes any resident's application
    (全域通办), and the applicant presenting the number is why it is looked up."""
    if id_number:
        person = _person_by_hash(hash_of(id_number))
        if person is None:
            raise ValidationError(
                {
                    "applicant_id_number": ValidationError(
                        _("人口库中没有该身份证号码的记录，请先登记人员信息。"),
                        code="unknown_applicant",
                    )
                }
            )
        return Applicant(person=person)
    if credit_code:
        code = parse_credit_code(credit_code).code
        org = Organisation.unscoped.filter(credit_code=code).first()
        if org is None:
            raise ValidationError(
                {
                    "applicant_credit_code": ValidationError(
                        _("法人库中没有该统一社会信用代码的记录。"), code="unknown_applicant"
                    )
                }
            )
        return Applicant(organisation=org)
    raise ValidationError(
        _("请提供申请人身份证号码或统一社会信用代码。"), code="applicant_required"
    )


def audit_lookup(actor: Actor, applicant: Applicant) -> None:
    """The audit entry of a 一号 look-up, with its purpose (受理申请). Called on its own (not
    inside the intake's transaction) it is a read's whole transaction, which commits without
    waiting for the disk (`audit.commits_lazily`): the audit chain's lock is held briefly,
    and the read stays on record even if the intake then fails."""
    if applicant.person is not None:
        person = applicant.person
        audit.record(
            actor.with_purpose("受理申请（申请人出示证件）"),
            AuditAction.READ,
            object_type="person",
            object_id=person.pk,
            object_label=person_label(person),
        )
        return
    org = applicant.organisation
    audit.record(
        actor.with_purpose("受理申请"),
        AuditAction.READ,
        object_type="organisation",
        object_id=org.pk,
        object_label=f"{org.name} {org.credit_code}",
    )


def identify_applicant(*, actor: Actor, id_number: str = "", credit_code: str = "") -> Applicant:
    """一号 look-up and its audit entry (purpose 受理申请: the applicant presenting the number
    is why it is looked up)."""
    applicant = find_applicant(id_number=id_number, credit_code=credit_code)
    audit_lookup(actor, applicant)
    return applicant
