"""Template context for the navigation: how many messages wait for an administrator."""

from __future__ import annotations

from django.http import HttpRequest


def notifications_context(request: HttpRequest) -> dict:
    """`notifications_attention` for a nav badge — administrators only, and a callable the
    template evaluates only if it is shown, so pages that do not show it pay no query."""
    from bianmin.workbench.common import is_admin

    user = getattr(request, "user", None)
    if user is None or not is_admin(user):
        return {}
    from bianmin.notifications.queries import attention_count

    return {"notifications_attention": attention_count}
