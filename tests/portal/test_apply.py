"""网上申报 with uploads: the checklist (shared materials are not asked for), checked files,
nothing written on any error, one case for a double click, owner-checked downloads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from bianmin.cases.models import Case, CaseMaterial, CaseStatus, IdempotencyRecord
from bianmin.notifications.models import OutboxMessage
from bianmin.portal.models import Upload
from tests.cases import builders
from tests.portal import files
from tests.portal.conftest import signed_in

pytestmark = pytest.mark.django_db


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def complete(**overrides) -> dict:
    data = {
        "applicant": "self",
        "m_hukou": files.pdf(),
        "m_photo": files.jpeg(),
        "m_bank_card": files.png(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def apply_url(elderly_item) -> str:
    return f"/portal/services/{elderly_item.code}/apply/"


class TestTheForm:
    def test_shared_materials_are_not_asked_for(self, portal, apply_url):
        text = portal.get(apply_url).content.decode()
        assert "居民身份证" in text and "将通过数据共享获取，无需提交" in text
        assert 'name="m_id_card"' not in text  # nothing to upload for it
        for code in ("hukou", "photo", "bank_card", "guardian", "residence"):
            assert f'name="m_{code}"' in text
        assert "我属于“由监护人代为申请的”情形" in text

    def test_the_catalogue_lists_likely_eligible_items_first(self, clock, db):
        from tests import factories
        from tests.conftest import BAOCHENG
        from tests.portal.conftest import open_for

        old_only = builders.item("MZ-GLBT-080", name="八十岁以上高龄补贴", eligible_min_age=80)
        anyone = builders.item("MZ-ZJ-999", name="临时救助申请")
        young = factories.person(community=BAOCHENG, name="赵磊", phone="13911112222")
        text = signed_in(open_for(young, "13911112222")).get("/portal/services/")
        text = text.content.decode()
        # Code order would put the 80+ item first; for a 41-year-old it goes last.
        assert text.index(anyone.name) < text.index(old_only.name)
        assert "您可能符合条件" not in text and "可能不符合适用条件" in text

    def test_items_for_the_resident_s_group_come_first(self, portal, elderly_item, clock):
        old_only = builders.item("MZ-GLBT-080", name="八十岁以上高龄补贴", eligible_min_age=80)
        text = portal.get("/portal/services/").content.decode()  # 王秀英 is 82
        assert text.index(old_only.name) < text.index(elderly_item.name)
        assert text.count("您可能符合条件") == 1

    def test_an_item_that_is_not_online_is_not_found(self, portal, db):
        offline = builders.item("GA-SFZ-001", name="居民身份证换领", department="GA", online=False)
        assert portal.get(f"/portal/services/{offline.code}/apply/").status_code == 404


class TestSubmit:
    def test_a_complete_application_waits_for_the_clerk(self, portal, apply_url, account, clock):
        token = token_of(portal.get(apply_url))
        response = portal.post(apply_url, complete(token=token))
        case = Case.unscoped.get()
        assert (
            response.status_code == 302 and response["Location"] == f"/portal/cases/{case.case_no}/"
        )
        assert case.status == CaseStatus.SUBMITTED and case.channel == "online"
        assert case.submitted_by_user_id == account.user_id
        assert case.area_code == "420102002"  # addressed to her street's centre
        on_file = dict(CaseMaterial.objects.filter(case=case).values_list("code", "source"))
        assert on_file == {
            "id_card": "shared",
            "hukou": "submitted",
            "photo": "submitted",
            "bank_card": "submitted",
        }
        uploads = {u.material_code: u for u in Upload.objects.filter(case=case)}
        assert set(uploads) == {"hukou", "photo", "bank_card"}
        assert uploads["photo"].content_type == "image/jpeg"
        assert uploads["hukou"].original_name == "户口簿.pdf"
        # Stored with a random name, not the resident's.
        assert "户口簿" not in uploads["hukou"].file.name
        assert len(stored_files()) == 3
        assert OutboxMessage.objects.filter(dedupe_key__endswith=":user").exists()

    def test_a_double_click_is_one_case(self, portal, apply_url, clock):
        token = token_of(portal.get(apply_url))
        first = portal.post(apply_url, complete(token=token))
        second = portal.post(apply_url, complete(token=token))
        assert Case.unscoped.count() == 1
        assert first["Location"] == second["Location"]
        assert IdempotencyRecord.objects.count() == 1
        assert len(stored_files()) == 3  # the second attempt's files were not kept

    def test_the_same_form_with_other_files_is_refused(self, portal, apply_url, clock):
        token = token_of(portal.get(apply_url))
        portal.post(apply_url, complete(token=token))
        other = complete(token=token, m_photo=files.png("another.png"))
        response = portal.post(apply_url, other)
        assert "这张申请表已经提交过" in response.content.decode()
        assert Case.unscoped.count() == 1

    def test_a_new_page_is_a_new_application(self, portal, apply_url, clock):
        portal.post(apply_url, complete(token=token_of(portal.get(apply_url))))
        portal.post(apply_url, complete(token=token_of(portal.get(apply_url))))
        assert Case.unscoped.count() == 2


class TestNothingWrittenOnError:
    def assert_nothing(self):
        assert not Case.unscoped.exists()
        assert not Upload.objects.exists()
        assert not IdempotencyRecord.objects.exists()
        assert stored_files() == []

    def test_a_file_of_the_wrong_type(self, portal, apply_url, clock):
        fake = SimpleUploadedFile(
            "hukou.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
        )
        response = portal.post(apply_url, complete(token="t-1", m_hukou=fake))
        assert response.status_code == 200
        assert "“居民户口簿”只能上传PDF、JPG或PNG格式的文件。" in response.content.decode()
        self.assert_nothing()

    def test_a_name_that_does_not_match_the_content(self, portal, apply_url, clock):
        response = portal.post(apply_url, complete(token="t-1", m_photo=files.pdf("photo.jpg")))
        assert "只能上传PDF、JPG或PNG格式的文件" in response.content.decode()
        self.assert_nothing()

    def test_a_file_over_5_mb(self, portal, apply_url, clock):
        big = files.pdf("big.pdf", files.PDF + b"0" * (5 * 1024 * 1024))
        response = portal.post(apply_url, complete(token="t-1", m_hukou=big))
        assert "“居民户口簿”的文件超过5MB" in response.content.decode()
        self.assert_nothing()

    def test_missing_materials_are_listed_at_once(self, portal, apply_url, clock):
        response = portal.post(apply_url, complete(token="t-1", m_hukou=None, m_photo=None))
        assert "请上传以下材料：居民户口簿、近期免冠一寸照片。" in response.content.decode()
        self.assert_nothing()

    def test_a_condition_the_resident_confirms_makes_its_material_required(
        self, portal, apply_url, clock
    ):
        response = portal.post(apply_url, complete(token="t-1", applies_guardian="on"))
        assert "请上传以下材料：监护关系证明。" in response.content.decode()
        self.assert_nothing()

    def test_an_applicant_who_does_not_qualify(self, clock, db):
        from tests import factories
        from tests.conftest import BAOCHENG
        from tests.portal.conftest import open_for

        young = factories.person(community=BAOCHENG, name="赵磊", phone="13911112222")
        client = signed_in(open_for(young, "13911112222"))
        item = builders.item("MZ-GLBT-080", name="八十岁以上高龄补贴", eligible_min_age=80)
        url = f"/portal/services/{item.code}/apply/"
        assert "您可能不符合申请条件" in client.get(url).content.decode()
        response = client.post(url, complete(token="t-1"))
        assert "申请人未满80周岁" in response.content.decode()
        self.assert_nothing()


class TestFiles:
    @pytest.fixture
    def upload(self, portal, apply_url, clock) -> Upload:
        portal.post(apply_url, complete(token="t-1"))
        return Upload.objects.get(material_code="photo")

    def test_the_owner_downloads_their_file(self, portal, upload):
        response = portal.get(f"/portal/files/{upload.pk}/")
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content) == files.JPEG
        assert "no-store" in response["Cache-Control"]

    def test_nobody_else_does(self, upload, other_account, client):
        assert signed_in(other_account).get(f"/portal/files/{upload.pk}/").status_code == 404
        assert client.get(f"/portal/files/{upload.pk}/").status_code == 302  # sign in first

    def test_media_is_not_served_publicly(self, upload, client):
        assert client.get(f"/media/{upload.file.name}").status_code == 404

    def test_the_clerk_of_the_centre_opens_it_for_the_precheck(self, upload, dazhi_clerk):
        from django.test import Client

        from bianmin.core.models import AuditEntry
        from bianmin.portal.services.uploads import uploads_of

        assert upload in uploads_of(upload.case)
        clerk = Client()
        clerk.force_login(dazhi_clerk)
        response = clerk.get(f"/portal/staff/files/{upload.pk}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == files.JPEG
        entry = AuditEntry.objects.filter(actor_id=dazhi_clerk.pk, object_type="case").first()
        assert entry.object_id == upload.case.case_no and "近期免冠一寸照片" in entry.object_label

    def test_staff_elsewhere_and_residents_cannot(self, upload, minzu_clerk, portal):
        from django.test import Client

        other = Client()
        other.force_login(minzu_clerk)
        assert other.get(f"/portal/staff/files/{upload.pk}/").status_code == 403
        assert portal.get(f"/portal/staff/files/{upload.pk}/").status_code == 403
        assert other.get("/portal/staff/files/999999/").status_code == 404


class TestSharingRefused:
    """When sharing cannot supply a material (here: 民政's grant for 身份证 data was revoked),
    the resident is told why before submitting, and uploads it instead."""

    @pytest.fixture
    def revoked(self, db):
        from bianmin.registry.access import actor_for
        from bianmin.sharing import services
        from bianmin.sharing.models import Grant
        from tests import factories

        owner = factories.staff("ga_owner", role="reviewer", division="420100", department="GA")
        services.revoke(
            actor=actor_for(owner),
            grant=Grant.objects.get(department_id="MZ", item_id="id_card"),
            reason="授权范围调整",
        )

    def test_the_reason_is_shown_and_the_material_is_uploaded(
        self, revoked, portal, apply_url, clock
    ):
        page = portal.get(apply_url)
        text = page.content.decode()
        reason = "未能通过数据共享获取（承办部门未获该数据的共享授权），须提交原件"
        assert reason in text and 'name="m_id_card"' in text
        # Without it, nothing is written and the message says why.
        response = portal.post(apply_url, complete(token=token_of(page)))
        assert response.status_code == 200 and not Case.unscoped.exists()
        assert f"居民身份证（{reason}）" in response.content.decode()
        # With it uploaded, the application goes in; nothing is fetched for it.
        response = portal.post(
            apply_url, complete(token=token_of(portal.get(apply_url)), m_id_card=files.jpeg())
        )
        case = Case.unscoped.get()
        assert response.status_code == 302 and case.status == CaseStatus.SUBMITTED
        assert case.materials.get(code="id_card").source == "submitted"
