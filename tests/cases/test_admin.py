"""Administrators record absences (AB岗) in the admin; the backup's work list follows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from bianmin.cases.models import StaffAbsence
from bianmin.cases.services.absences import absent_on

pytestmark = pytest.mark.django_db


def test_an_absence_entered_in_the_admin_counts(admin_user, mz_reviewer):
    client = Client()
    client.force_login(admin_user)
    assert client.get("/admin/cases/staffabsence/").status_code == 200
    r = client.post(
        "/admin/cases/staffabsence/add/",
        {
            "staff": mz_reviewer.staff.pk,
            "start": "2026-10-08",
            "end": "2026-10-09",
            "reason": "外出培训",
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    absence = StaffAbsence.objects.get()
    assert absence.created_by == admin_user
    assert absent_on(mz_reviewer.staff.pk, dt.date(2026, 10, 9))
    assert not absent_on(mz_reviewer.staff.pk, dt.date(2026, 10, 10))
