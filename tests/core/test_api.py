"""API plumbing: token endpoint, error shape, every API view scoped, OpenAPI schema."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from bianmin.core.api import ScopedAPIMixin
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # The login throttle counts in the default (per-process) cache.
    cache.clear()
    yield
    cache.clear()


class TestToken:
    def test_password_gives_a_working_token(self, baocheng_worker):
        client = APIClient()
        r = client.post(TOKEN, {"username": "baocheng_worker", "password": PASSWORD}, format="json")
        assert r.status_code == 200 and len(r.data["token"]) == 40
        # The same token again: one per user.
        again = client.post(TOKEN, {"username": "baocheng_worker", "password": PASSWORD})
        assert again.data["token"] == r.data["token"]
        client.credentials(HTTP_AUTHORIZATION=f"Token {r.data['token']}")
        assert client.get("/api/v1/people/").status_code == 200

    @pytest.mark.parametrize("username", ["baocheng_worker", "nobody"])
    def test_bad_credentials_are_400_in_chinese(self, baocheng_worker, username):
        r = APIClient().post(TOKEN, {"username": username, "password": "wrong"}, format="json")
        assert r.status_code == 400
        assert r.data == {"detail": "用户名或密码错误。", "code": "invalid_credentials"}

    def test_missing_password(self):
        r = APIClient().post(TOKEN, {"username": "x"}, format="json")
        assert r.status_code == 400 and r.data["code"] == "required"
        assert list(r.data["errors"]) == ["password"]

    def test_password_guessing_is_throttled(self, baocheng_worker):
        client = APIClient()
        attempt = {"username": "baocheng_worker", "password": "guess"}
        codes = [client.post(TOKEN, attempt, format="json").status_code for _ in range(20)]
        assert codes == [400] * 20
        r = client.post(TOKEN, {**attempt, "password": PASSWORD}, format="json")
        assert r.status_code == 429 and r.data["code"] == "throttled"
        assert "限" in r.data["detail"] and int(r["Retry-After"]) > 0
        # Another account from the same address is not locked out by it.
        other = client.post(TOKEN, {"username": "someone", "password": "x"}, format="json")
        assert other.status_code == 400

    def test_bad_token_is_401(self):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
        r = client.get("/api/v1/people/")
        assert r.status_code == 401 and r.data["code"] == "authentication_failed"
        assert r["WWW-Authenticate"] == "Token"

    def test_user_without_staff_profile_is_403(self, django_user_model):
        from tests.apiclient import api_as

        user = django_user_model.objects.create_user("resident", password=PASSWORD)
        r = api_as(user).get("/api/v1/people/")
        assert r.status_code == 403 and r.data["detail"] == "需要工作人员账号登录。"


def _api_views(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _api_views(entry, route)
        elif isinstance(entry, URLPattern) and route.startswith("api/v1/"):
            view = entry.callback
            yield route, getattr(view, "cls", None) or getattr(view, "view_class", None)


def test_every_api_view_activates_the_scope():
    views = list(_api_views())
    assert len(views) >= 10
    unscoped = [route for route, cls in views if not (cls and issubclass(cls, ScopedAPIMixin))]
    assert unscoped == []


def test_schema_generates_without_warnings():
    # Raises SchemaGenerationError on any warning, and validates against the OpenAPI spec.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_schema_and_docs_are_served():
    client = APIClient()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    doc = schema.json()
    assert doc["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    assert "/api/v1/people/lookup/" in doc["paths"]
    assert client.get("/api/docs/").status_code == 200


def test_only_a_lone_read_audit_commits_lazily():
    # The look-up's audit entry is its whole transaction; writes share theirs with the change.
    from bianmin.core.audit import commits_lazily
    from bianmin.core.models import AuditAction

    assert commits_lazily(AuditAction.READ, vendor="postgresql", outermost=True)
    assert not commits_lazily(AuditAction.READ, vendor="postgresql", outermost=False)
    assert not commits_lazily(AuditAction.READ, vendor="sqlite", outermost=True)
    for action in (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.REVEAL):
        assert not commits_lazily(action, vendor="postgresql", outermost=True)
