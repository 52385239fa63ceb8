"""Who the resident at the keyboard is: an identity provider answers with a Person of the
人口库, and the portal signs that person in.

The portal never asks how the provider knows. `PhonePasswordProvider` (today) checks the phone
and password of an account opened by matching the registry: ID number + name + registered
mobile. A unified identity platform (统一身份认证, "一次认证、多点互联") implements the same
Protocol — typically `authenticate(request, ticket=…)` after its redirect, mapping the verified
ID number to the Person by its keyed hash, with `can_register = False` because residents
register on the platform — and is configured by class path in
`settings.BIANMIN["RESIDENT_IDENTITY_PROVIDER"]`. The portal then uses (or opens) the local
`ResidentAccount` of that Person through `services.accounts.account_for`.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from bianmin.core import ratelimit
from bianmin.core.identifiers import normalize_mobile, parse_citizen_id
from bianmin.portal.models import ResidentAccount
from bianmin.registry.access import client_ip
from bianmin.registry.models import LifeStatus, Person
from bianmin.registry.services.people import hash_of

DEFAULT_PROVIDER = "bianmin.portal.identity.PhonePasswordProvider"

# One answer for every mismatch — unknown number, other name, other mobile, deceased — so the
# form cannot be used to learn whether someone is in the registry or what is on file.
NOT_VERIFIED = _(
    "身份信息核验未通过。请确认姓名、身份证号码和手机号码与户籍登记一致；"
    "如手机号码有变更，请携带身份证到就近便民服务中心更新后再注册。"
)
TOO_MANY = _("操作过于频繁，请稍后再试。")


class IdentityProvider(Protocol):
    """A source of verified identity for residents.

    `authenticate` returns the Person the credentials prove, or None; it may raise
    ValidationError (code `too_many_attempts`) when it refuses to check at all.
    A provider that offers `verify(request, **details) -> Person` (match only, nothing opened)
    gets the portal's SMS-code step between matching and opening (`portal/verification.py`).
    `register` verifies a new resident and makes them able to authenticate, returning the
    Person; it raises ValidationError (field errors for malformed input, one generic
    `identity_not_verified` error for any mismatch)."""

    key: str  # stored on the account: which provider verified the person
    can_register: bool

    def authenticate(self, request: HttpRequest, **credentials: Any) -> Person | None: ...

    def register(self, request: HttpRequest, **details: Any) -> Person: ...


def provider() -> IdentityProvider:
    path = getattr(settings, "BIANMIN", {}).get("RESIDENT_IDENTITY_PROVIDER", DEFAULT_PROVIDER)
    return import_string(path)()


def _too_many() -> ValidationError:
    return ValidationError(TOO_MANY, code="too_many_attempts")


def _phone_or_none(raw: str) -> str | None:
    try:
        return normalize_mobile(raw)
    except ValidationError:
        return None


class PhonePasswordProvider:
    """Phone + password of a resident account; registration by matching the registry."""

    key = "phone_password"
    can_register = True

    def authenticate(
        self, request: HttpRequest, *, phone: str = "", password: str = "", **_: Any
    ) -> Person | None:
        ip, number = client_ip(request), _phone_or_none(phone)
        if ratelimit.blocked("signin_ip", ip) or ratelimit.blocked("signin_phone", number):
            raise _too_many()
        account = (
            ResidentAccount.objects.select_related("user", "person").filter(phone=number).first()
            if number
            else None
        )
        if account is None:
            make_password(password)  # the same work as a real check: no timing tell
            ok = False
        else:
            ok = account.user.is_active and account.user.check_password(password)
        if not ok:
            ratelimit.count("signin_ip", ip)
            ratelimit.count("signin_phone", number)
            return None
        ratelimit.reset("signin_phone", number)
        return account.person

    def verify(
        self,
        request: HttpRequest,
        *,
        id_number: str = "",
        name: str = "",
        phone: str = "",
        password: str = "",
        **_: Any,
    ) -> Person:
        """The Person these details match (nothing is opened yet): the first step, before the
        SMS code proves the phone is in the registering person's hand."""
        ip, number = client_ip(request), _phone_or_none(phone)
        if ratelimit.blocked("register_ip", ip) or ratelimit.blocked("register_phone", number):
            raise _too_many()
        ratelimit.count("register_ip", ip)
        ratelimit.count("register_phone", number)
        # Input shape and the password first: their errors say nothing about the registry.
        errors: dict[str, list] = {}
        try:
            parse_citizen_id(id_number)
        except ValidationError as e:
            errors["id_number"] = e.error_list
        if number is None:
            errors["phone"] = [ValidationError(_("手机号码应为以1开头的11位数字。"), code="phone")]
        try:
            validate_password(password)
        except ValidationError as e:
            errors["password"] = e.error_list
        if errors:
            raise ValidationError(errors)
        person = Person.unscoped.filter(id_hash=hash_of(id_number)).first()
        matches = (
            person is not None
            and person.life_status == LifeStatus.ALIVE
            and "".join(person.name.split()) == "".join((name or "").split())
            and person.phone == number
        )
        if not matches:
            raise ValidationError(NOT_VERIFIED, code="identity_not_verified")
        return person

    def register(self, request: HttpRequest, **details: Any) -> Person:
        """Verify and open at once — for callers that proved the phone some other way."""
        from bianmin.portal.services.accounts import open_account

        person = self.verify(request, **details)
        open_account(
            person=person,
            phone=person.phone,
            provider=self.key,
            password=details.get("password", ""),
            ip=client_ip(request),
        )
        return person
