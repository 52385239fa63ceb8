"""Resident accounts: opened once the identity provider has verified the person, signed in
with Django's session machinery."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model, login, logout
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction
from bianmin.portal.models import ResidentAccount
from bianmin.registry.models import LifeStatus, Person
from bianmin.registry.services.people import person_label

# The session is Django's; this backend only reloads the user on each request.
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def resident_actor(person: Person, user_id: int | None, ip: str | None, purpose: str = "") -> Actor:
    """The resident acting for themself: named, with no org unit (the audit log and case
    history show "本人" rather than an account name)."""
    return Actor(user_id, f"{person.name}（本人）", "", ip, purpose)


def _exists_error() -> ValidationError:
    return ValidationError(
        _(
            "该居民已开通网上账号，或该手机号码已用于其他账号。请直接登录；忘记密码请到便民服务中心重置。"
        ),
        code="account_exists",
    )


@transaction.atomic
def ensure_can_open(person: Person, phone: str | None) -> None:
    """One account per person and per phone: refused before an SMS is spent on it."""
    if ResidentAccount.objects.filter(person=person).exists() or (
        phone and ResidentAccount.objects.filter(phone=phone).exists()
    ):
        raise _exists_error()


def open_account(
    *,
    person: Person,
    phone: str | None,
    provider: str,
    password: str | None = None,
    password_hash: str | None = None,
    ip: str | None = None,
) -> ResidentAccount:
    """Open the portal account of a verified person. The user name is random: it appears in
    logs and sessions, and a phone number must not. Without a password (a unified provider
    signs the person in) the account cannot be used with a password at all. `password_hash`:
    the password chosen before an SMS round trip, which the session kept only hashed."""
    ensure_can_open(person, phone)
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=f"resident-{secrets.token_hex(8)}", password=password
            )
            if password_hash:  # set in an earlier step (SMS code), kept only as the hash
                user.password = password_hash
                user.save(update_fields=["password"])
            account = ResidentAccount.objects.create(
                user=user,
                person=person,
                phone=phone or None,
                provider=provider,
                verified_at=timezone.now(),
            )
    except IntegrityError:  # the same person or phone registered at the same moment
        raise _exists_error() from None
    # The registry was read to verify the person: on their own record, as themself.
    audit.record(
        resident_actor(person, user.pk, ip, "开通网上办事账号（实名核验）"),
        AuditAction.READ,
        object_type="person",
        object_id=person.pk,
        object_label=person_label(person),
    )
    return account


def open_confirmed(
    *, person_id: int, phone: str, provider: str, password_hash: str, ip: str | None
) -> Person:
    """Open the account once the SMS code came back. The registry is read again: a death or a
    changed mobile recorded in the ten minutes since the first step stops it."""
    person = Person.unscoped.filter(pk=person_id, life_status=LifeStatus.ALIVE).first()
    if person is None or person.phone != phone:
        from bianmin.portal.identity import NOT_VERIFIED

        raise ValidationError(NOT_VERIFIED, code="identity_not_verified")
    open_account(
        person=person, phone=person.phone, provider=provider, password_hash=password_hash, ip=ip
    )
    return person


def account_for(person: Person, *, provider: str) -> ResidentAccount:
    """The account of a person a provider authenticated; a provider that does not register
    (统一身份认证) gets one opened on the first sign-in."""
    account = ResidentAccount.objects.select_related("user").filter(person=person).first()
    if account is None:
        account = open_account(person=person, phone=person.phone or None, provider=provider)
    return account


def sign_in(request: HttpRequest, person: Person, *, provider: str) -> ResidentAccount:
    account = account_for(person, provider=provider)
    if not account.user.is_active:
        raise ValidationError(_("该账号已停用，请到便民服务中心办理。"), code="account_inactive")
    login(request, account.user, backend=SESSION_BACKEND)
    return account


def sign_out(request: HttpRequest) -> None:
    logout(request)


@transaction.atomic
def disable_account(*, actor: Actor, account: ResidentAccount, reason: str) -> bool:
    """Stop every sign-in to the account (a death: nobody may act online as the deceased),
    keeping the account, its cases and uploads. An inactive user fails the password check,
    and Django's session backend no longer resolves the user of a session already open, so
    open sessions end with it; API tokens are deleted. False when it was already disabled."""
    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.select_for_update().get(pk=account.user_id)
    if not user.is_active and account.disabled_at is not None:
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    Token.objects.filter(user=user).delete()
    account.disabled_at, account.disabled_reason = timezone.now(), reason.strip()[:100]
    account.save(update_fields=["disabled_at", "disabled_reason"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="resident_account",
        object_id=account.pk,
        object_label=person_label(account.person),
        changes={"disabled": account.disabled_reason},
    )
    return True


@transaction.atomic
def enable_account(*, actor: Actor, account: ResidentAccount, reason: str) -> ResidentAccount:
    """Let a disabled account sign in again — after a death registered by mistake has been
    corrected back to alive at the window. Refused while the person is still registered as
    dead, or when the account is not disabled; the reason is on the audit record."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(_("请填写恢复原因。"), code="required")})
    user = get_user_model().objects.select_for_update().get(pk=account.user_id)
    account = ResidentAccount.objects.select_related("person").get(pk=account.pk)
    if user.is_active and account.disabled_at is None:
        raise ValidationError(_("该网上办事账号未停用，无需恢复。"), code="account_active")
    if account.person.life_status == LifeStatus.DECEASED:
        raise ValidationError(
            _("该人员在人口库中仍登记为死亡。请先将人员状态更正为正常，再恢复网上办事账号。"),
            code="person_deceased",
        )
    was = account.disabled_reason
    user.is_active = True
    user.save(update_fields=["is_active"])
    account.disabled_at, account.disabled_reason = None, ""
    account.save(update_fields=["disabled_at", "disabled_reason"])
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="resident_account",
        object_id=account.pk,
        object_label=person_label(account.person),
        changes={"enabled": reason[:200], "was_disabled": was},
    )
    return account
