"""Template helpers of the counter pages and of the navigation (which groups a role sees)."""

from __future__ import annotations

from django import template

from bianmin.registry.models import Role

register = template.Library()

# Navigation groups by role. "all" = every staff member.
_NAV = {
    "intake": {Role.WINDOW_CLERK, Role.VILLAGE_AGENT},
    "work": {Role.WINDOW_CLERK, Role.VILLAGE_AGENT, Role.DEPT_REVIEWER, Role.SUPERVISOR},
    "cases": {Role.WINDOW_CLERK, Role.VILLAGE_AGENT, Role.DEPT_REVIEWER, Role.SUPERVISOR},
    "supervision": {Role.SUPERVISOR},
    "queue": {Role.WINDOW_CLERK, Role.DEPT_REVIEWER, Role.SUPERVISOR},
    "evaluation": {Role.WINDOW_CLERK, Role.DEPT_REVIEWER, Role.SUPERVISOR},
}


@register.simple_tag(takes_context=True)
def nav_groups(context) -> dict[str, bool]:
    """{group: shown} for the signed-in user; administrators see every group."""
    user = context.get("user")
    staff = context.get("staff")
    if staff is None:
        role = Role.ADMIN if user is not None and user.is_superuser else ""
    else:
        role = staff.role
    admin = role == Role.ADMIN
    shown = {name: admin or role in roles for name, roles in _NAV.items()}
    shown["admin"] = admin
    return shown


@register.simple_tag(takes_context=True)
def path_active(context, url: str, exact: bool = False) -> str:
    """'active' when the page is at `url` (or below it): the navigation's current item."""
    request = context.get("request")
    path = request.path if request is not None else ""
    if not url:
        return ""
    return "active" if path == url or (not exact and path.startswith(url)) else ""


_WARNING = {"green": "ok", "yellow": "warn", "red": "bad"}
_STATUS = {
    "submitted": "info",
    "returned": "warn",
    "not_accepted": "bad",
    "accepted": "info",
    "in_review": "info",
    "decided": "ok",
    "delivered": "ok",
    "closed": "muted",
    "terminated": "muted",
}


@register.filter
def warning_css(level: str) -> str:
    return _WARNING.get(level, "")


@register.filter
def status_css(status: str) -> str:
    return _STATUS.get(status, "")


@register.filter
def pct(value) -> str:
    """A rate (0–1) as a percentage; "—" when there is nothing to divide."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def needed_by(result, code: str) -> list[str]:
    """多证联办: the names of the items that need this material (`MergedCheck.needed_by`)."""
    return result.needed_by(code)
