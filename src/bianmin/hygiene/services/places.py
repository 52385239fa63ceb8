from __future__ import annotations

from django.db import transaction

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction
from bianmin.core.scope import current_scope
from bianmin.hygiene.models import PlaceType, PublicPlace
from bianmin.hygiene.services.common import error
from bianmin.registry.models import Division, Organisation


@transaction.atomic
def register_place(
    *,
    actor: Actor,
    name: str,
    place_type: str,
    area_code: str,
    address: str,
    credit_code: str = "",
    operator_name: str = "",
    licence_no: str = "",
) -> PublicPlace:
    """A public place under supervision; its operator from the 法人库 when known."""
    name, address = (name or "").strip(), (address or "").strip()
    if not name:
        raise error("name_required", "name")
    if place_type not in PlaceType.values:
        raise error("invalid_type", "place_type")
    division = Division.objects.filter(code=(area_code or "").strip()).first()
    scope = current_scope.get()
    if division is None or (scope is not None and not scope.covers(division.prefix)):
        raise error("invalid_area", "area_code")
    if not address:
        raise error("address_required", "address")
    organisation = None
    credit_code = (credit_code or "").strip().upper()
    if credit_code:
        organisation = Organisation.unscoped.filter(credit_code=credit_code).first()
        if organisation is None:
            raise error("unknown_organisation", "credit_code", code=credit_code)
        operator_name = organisation.name
    operator_name = (operator_name or "").strip()
    if not operator_name:
        raise error("operator_required", "operator_name")
    place = PublicPlace.objects.create(
        name=name[:120],
        place_type=place_type,
        organisation=organisation,
        operator_name=operator_name[:200],
        licence_no=(licence_no or "").strip()[:40],
        address=address[:200],
        area_code=division.prefix,
    )
    audit.record(
        actor,
        AuditAction.CREATE,
        object_type="hygiene.place",
        object_id=place.pk,
        object_label=place.name,
    )
    return place
