"""Resident accounts: opened once the identity provider has verified the person, signed in
with Django's session machinery."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.core import audit
from bianmin.core.audit import Actor
from bianmin.core.models import AuditAction
from bianmin.portal.models import ResidentAccount
from bianmin.registry.models import LifeStatus, OrgUnit, Person
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


# Temporary passwords: no 0/O, 1/l/I, so they can be typed from an SMS without doubt.
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TEMPORARY_LENGTH = 10


@transaction.atomic
def reset_password(*, actor: Actor, account: ResidentAccount, identity_checked: bool) -> None:
    """忘记密码 at the window: after the clerk has checked the resident's ID card in person, the
    password becomes a random temporary one, sent by SMS to the account's sign-in phone only
    (the clerk never sees it); the resident must set a new one at the next sign-in. Every open
    session and API token of the account ends (a changed password invalidates Django's session
    hash). Refused for a disabled account, or one a unified identity provider owns."""
    from rest_framework.authtoken.models import Token

    from bianmin.notifications.services import queue_message

    if not identity_checked:
        raise ValidationError(
            {
                "identity_checked": ValidationError(
                    _("请先当面核验本人居民身份证，再重置密码。"), code="identity_not_checked"
                )
            }
        )
    account = (
        ResidentAccount.objects.select_for_update().select_related("person").get(pk=account.pk)
    )
    user = get_user_model().objects.select_for_update().get(pk=account.user_id)
    if not user.is_active or account.disabled_at is not None:
        raise ValidationError(_("该网上办事账号已停用，不能重置密码。"), code="account_inactive")
    if not account.phone:
        raise ValidationError(
            _("该账号通过统一身份认证登录，请到统一身份认证平台找回密码。"),
            code="no_password_account",
        )
    temporary = "".join(secrets.choice(TEMPORARY_ALPHABET) for _i in range(TEMPORARY_LENGTH))
    centre = (
        OrgUnit.objects.filter(code=actor.org_unit_code).values_list("name", flat=True).first()
        or "便民服务中心"
    )
    user.set_password(temporary)
    user.save(update_fields=["password"])
    Token.objects.filter(user=user).delete()
    account.must_change_password = True
    account.save(update_fields=["must_change_password"])
    queue_message(
        dedupe_key=f"portal:password-reset:{account.pk}:{secrets.token_hex(8)}",
        recipient_address=account.phone,
        body=(
            f"【便民服务】您的网上办事大厅登录密码已在{centre}"
            f"重置，临时密码：{temporary}。请尽快登录并设置新密码。如非本人办理，请拨打12345。"
        ),
        related_type="resident_account",
        related_id=account.pk,
    )
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="resident_account",
        object_id=account.pk,
        object_label=person_label(account.person),
        changes={"password_reset": True, "identity_checked": True},
    )


@transaction.atomic
def change_password(*, actor: Actor, account: ResidentAccount, current: str, new: str) -> None:
    """The resident sets a new password (after a reset, or whenever they like): the current
    one is checked, the new one passes the project's password validators and differs."""
    user = get_user_model().objects.select_for_update().get(pk=account.user_id)
    if not user.check_password(current or ""):
        raise ValidationError(
            {"current": ValidationError(_("当前密码不正确。"), code="wrong_password")}
        )
    if new == current:
        raise ValidationError(
            {"new": ValidationError(_("新密码不能与当前密码相同。"), code="same_password")}
        )
    try:
        validate_password(new, user)
    except ValidationError as e:
        raise ValidationError({"new": e.error_list}) from None
    user.set_password(new)
    user.save(update_fields=["password"])
    ResidentAccount.objects.filter(pk=account.pk).update(must_change_password=False)
    account.must_change_password = False
    audit.record(
        actor,
        AuditAction.UPDATE,
        object_type="resident_account",
        object_id=account.pk,
        object_label=person_label(account.person),
        changes={"password_changed": True},
    )
