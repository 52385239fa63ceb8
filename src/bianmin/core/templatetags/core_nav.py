"""Renders the navigation entries apps registered through `bianmin.core.nav`."""

from __future__ import annotations

from django import template

from bianmin.core import nav
from bianmin.registry.models import Role

register = template.Library()


@register.inclusion_tag("core/nav_staff.html", takes_context=True)
def app_nav(context) -> dict:
    user = context.get("user")
    staff = context.get("staff")
    role = staff.role if staff is not None else ""
    admin = role == Role.ADMIN or (user is not None and getattr(user, "is_superuser", False))
    request = context.get("request")
    path = request.path if request is not None else ""
    groups = []
    for label, entries in nav.staff_groups(role, admin=admin):
        links = []
        for e in entries:
            url = e.url()
            if url:
                links.append(
                    {"label": e.label, "icon": e.icon, "url": url, "active": path.startswith(url)}
                )
        if links:
            groups.append({"label": label, "links": links})
    return {"groups": groups}


@register.inclusion_tag("core/nav_portal.html")
def portal_nav() -> dict:
    links = [{"label": e.label, "hint": e.hint, "url": e.url()} for e in nav.portal_entries()]
    return {"links": [link for link in links if link["url"]]}
