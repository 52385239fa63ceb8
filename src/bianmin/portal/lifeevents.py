"""The portal's part of a life event (`core.lifecycle`).

DEATH: the deceased's resident account is disabled — no sign-in, open sessions end, API tokens
deleted — and kept, with its cases and uploads, for the record and the heirs' requests at the
window. Registration was already refused for a deceased person (`identity.verify`).

MOVE and MOVE_OUT: nothing; the account belongs to the person wherever they live, and someone
who moved their 户籍 away still follows their cases here.

The check `portal.account_of_deceased`: no active account of a deceased person.
"""

from __future__ import annotations

from collections.abc import Iterator

from bianmin.core import lifecycle
from bianmin.core.lifecycle import Contradiction, LifeEvent
from bianmin.portal.models import ResidentAccount
from bianmin.registry.models import LifeStatus

DEATH_REASON = "本人死亡"
CHECK = "portal.account_of_deceased"


def disable_for_death(event: LifeEvent, actor) -> str | None:
    from bianmin.portal.services.accounts import disable_account

    account = (
        ResidentAccount.objects.select_related("person").filter(person_id=event.person_id).first()
    )
    if account is None or not disable_account(actor=actor, account=account, reason=DEATH_REASON):
        return None
    return f"网上办事账号已停用（原因：{DEATH_REASON}），账号数据保留"


def check_accounts() -> Iterator[Contradiction]:
    rows = ResidentAccount.objects.filter(
        person__life_status=LifeStatus.DECEASED, user__is_active=True
    ).values_list("pk", "person_id")
    for pk, person_id in rows:
        yield Contradiction(
            check=CHECK,
            model="portal.ResidentAccount",
            pk=pk,
            person_id=person_id,
            message="网上办事账号仍可登录，本人已死亡",
        )


def register() -> None:
    lifecycle.register_handler(lifecycle.DEATH, "portal.account", disable_for_death, order=40)
    lifecycle.register_check(CHECK, check_accounts)
