"""Sign-in, sign-out, language switch, and who may enter the workbench at all."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.workbench.conftest import signed_in

pytestmark = pytest.mark.django_db


def test_login_page_is_a_clear_chinese_page():
    response = Client().get(reverse("login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in body
    assert "便民服务平台" in body and "一号一窗一网" in body and "工作人员登录" in body


def test_clerk_signs_in_and_lands_on_the_workbench(clerk):
    client = Client()
    response = client.post(
        reverse("login"), {"username": "dazhi_clerk", "password": factories.PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("workbench:home")
    home = client.get(reverse("workbench:home")).content.decode()
    assert "dazhi_clerk" in home and "综合窗口人员" in home


def test_wrong_password_is_refused_with_a_message(clerk):
    response = Client().post(reverse("login"), {"username": "dazhi_clerk", "password": "nope"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="errorlist nonfield"' in body and "密码" in body


def test_anonymous_is_sent_to_sign_in():
    response = Client().get(reverse("workbench:people"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_sign_out_is_a_post(clerk_client):
    response = clerk_client.post(reverse("logout"))
    assert response.status_code == 302
    assert clerk_client.get(reverse("workbench:home")).status_code == 302


def test_language_switch_is_routed(clerk_client):
    response = clerk_client.post(
        reverse("set_language"), {"language": "en", "next": reverse("workbench:home")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("workbench:home")
    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en">' in clerk_client.get(reverse("workbench:home")).content.decode()


def test_account_without_staff_record_gets_a_clear_403():
    user = get_user_model().objects.create_user("nobody", password=factories.PASSWORD)
    response = signed_in(user).get(reverse("workbench:people"))
    assert response.status_code == 403
    assert "尚未配置工作人员信息" in response.content.decode()
