from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bianmin.core.audit import Actor
from bianmin.core.identifiers import make_credit_code
from bianmin.core.scope import acting_in
from bianmin.registry.access import actor_for, scope_for
from bianmin.registry.models import Organisation
from bianmin.registry.services.organisations import access_organisation, create_organisation
from tests import factories
from tests.conftest import BAOCHENG, WANNIAN

pytestmark = pytest.mark.django_db
ACTOR = Actor(name="tester")


def test_create_with_legal_rep_and_derived_category():
    number = factories.id_number()
    rep = factories.person(community=BAOCHENG, id_number=number, name="周海")
    code = make_credit_code("92", "420102", "MA4KXY12B")
    org = create_organisation(
        actor=ACTOR,
        credit_code=code.lower(),
        name="江岸区周记热干面馆",
        division=BAOCHENG,
        legal_rep_id_number=number,
    )
    assert org.credit_code == code and org.org_category == "个体工商户"
    assert org.registrar == "工商" and org.legal_rep == rep
    assert org.area_code == "420102002003"


def test_duplicate_and_bad_codes():
    code = "91350100M000100Y43"
    create_organisation(actor=ACTOR, credit_code=code, name="某公司", division="420102")
    with pytest.raises(ValidationError) as e:
        create_organisation(actor=ACTOR, credit_code=code, name="某公司二", division="420102")
    assert e.value.error_dict["credit_code"][0].code == "duplicate_credit_code"
    with pytest.raises(ValidationError) as e:
        create_organisation(actor=ACTOR, credit_code="91350100M000100Y44", name="x")
    assert e.value.error_dict["credit_code"][0].code == "credit_code_check_digit"
    assert Organisation.unscoped.count() == 1


def test_unknown_legal_rep():
    with pytest.raises(ValidationError) as e:
        create_organisation(
            actor=ACTOR,
            credit_code=make_credit_code("91", "420102", "MA4K00001"),
            name="x",
            legal_rep_id_number=factories.id_number(),
        )
    assert "legal_rep_id_number" in e.value.error_dict


def test_scope(baocheng_worker):
    theirs = create_organisation(
        actor=ACTOR,
        name="万年商行",
        division=WANNIAN,
        credit_code=make_credit_code("91", "420103", "MA4K00002"),
    )
    with acting_in(scope_for(baocheng_worker)):
        assert Organisation.objects.count() == 0
        with pytest.raises(PermissionDenied):
            access_organisation(actor=actor_for(baocheng_worker), organisation_id=theirs.pk)
