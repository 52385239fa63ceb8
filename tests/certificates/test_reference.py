from __future__ import annotations

import pytest

from bianmin.catalog.sources import CERTIFICATE_TYPES
from bianmin.certificates.models import CertificateType

pytestmark = pytest.mark.django_db


def test_every_catalogue_certificate_type_is_defined():
    assert set(CertificateType.objects.values_list("code", flat=True)) == set(CERTIFICATE_TYPES)


def test_type_codes_fit_the_check_character_alphabet():
    for code in CertificateType.objects.values_list("type_code", flat=True):
        assert code.isascii() and code.isalnum() and code.upper() == code
