from __future__ import annotations

import pytest

from bianmin.core.scope import acting_in
from bianmin.health.sharing import read_summary
from bianmin.registry.access import actor_for, scope_for
from bianmin.sharing.models import SharedDataItem
from bianmin.sharing.services.access import AccessDenied
from bianmin.sharing.services.consent import grant_consent
from tests import factories

pytestmark = pytest.mark.django_db


def _read(user, record):
    with acting_in(scope_for(user)):
        return read_summary(
            actor=actor_for(user), record_code=record.record_code, purpose="转诊接诊核对病史"
        )


def test_area_team_reads_directly(record, dazhi_doctor):
    data = _read(dazhi_doctor, record)
    assert data["档案编号"] == record.record_code


def test_other_area_health_worker_needs_consent(record, minzujie_doctor, system_actor):
    assert SharedDataItem.objects.filter(code="health_summary").exists()
    with pytest.raises(AccessDenied) as exc:
        _read(minzujie_doctor, record)
    assert exc.value.code == "no_consent"
    grant_consent(actor=system_actor, person=record.person, item_code="health_summary")
    assert _read(minzujie_doctor, record)["档案编号"] == record.record_code


def test_other_department_needs_a_grant(record, system_actor):
    reviewer = factories.staff("mz_rev", role="reviewer", division="420102", department="MZ")
    grant_consent(actor=system_actor, person=record.person, item_code="health_summary")
    with pytest.raises(AccessDenied) as exc:
        _read(reviewer, record)
    assert exc.value.code == "no_grant"


def test_summary_api_refuses_without_consent(client, record, minzujie_doctor):
    client.force_login(minzujie_doctor)
    answer = client.get(f"/api/v1/health-records/{record.record_code}/summary/?purpose=核对")
    assert answer.status_code == 403
