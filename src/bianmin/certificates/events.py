"""Life events: a death revokes the deceased's valid certificates; the consistency check
lists any valid certificate still held by a deceased person."""

from __future__ import annotations

from collections.abc import Iterator

from bianmin.certificates.models import Certificate, CertificateStatus
from bianmin.certificates.services.issuing import revoke_for_death
from bianmin.core.lifecycle import Contradiction, LifeEvent
from bianmin.registry.models import LifeStatus

CHECK = "certificates.valid_of_deceased"


def on_death(event: LifeEvent, actor) -> str | None:
    n = revoke_for_death(actor=actor, person_id=event.person_id)
    return f"注销电子证照 {n} 本" if n else None


def valid_of_deceased() -> Iterator[Contradiction]:
    rows = Certificate.unscoped.filter(
        status=CertificateStatus.VALID, holder_person__life_status=LifeStatus.DECEASED
    ).values_list("pk", "holder_person_id", "identifier")
    for pk, person_id, identifier in rows:
        yield Contradiction(
            check=CHECK,
            model="certificates.Certificate",
            pk=pk,
            person_id=person_id,
            message=f"持证人已死亡，证照 {identifier} 仍为有效",
        )
