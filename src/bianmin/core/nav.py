"""Navigation entries that apps contribute, so a new app adds its pages without editing
`base.html` (owned by the counter app) or the portal's 我的 page.

An app registers its entries in `AppConfig.ready()`:

    nav.register_staff(group=_("电子证照"), label=_("证照查询"), url_name="certificates:list",
                       icon="▦", roles={Role.WINDOW_CLERK}, order=10)
    nav.register_portal(label=_("我的证照"), hint=_("…"), url_name="certificates:mine")

`roles=None` shows the entry to every staff member; administrators see every entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavEntry:
    group: str
    label: str
    url_name: str
    icon: str = "•"
    roles: frozenset[str] | None = None
    order: int = 100
    hint: str = ""

    def url(self) -> str:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""


_STAFF: list[NavEntry] = []
_PORTAL: list[NavEntry] = []


def register_staff(
    *,
    group: str,
    label: str,
    url_name: str,
    icon: str = "•",
    roles: Iterable[str] | None = None,
    order: int = 100,
) -> None:
    entry = NavEntry(group, label, url_name, icon, frozenset(roles) if roles else None, order)
    if entry.url_name not in {e.url_name for e in _STAFF}:
        _STAFF.append(entry)


def register_portal(*, label: str, url_name: str, hint: str = "", order: int = 100) -> None:
    entry = NavEntry("", label, url_name, order=order, hint=hint)
    if entry.url_name not in {e.url_name for e in _PORTAL}:
        _PORTAL.append(entry)


def staff_groups(role: str, *, admin: bool) -> list[tuple[str, list[NavEntry]]]:
    """[(group label, entries)] the role may see, groups in the order of their first entry."""
    shown = [
        e
        for e in sorted(_STAFF, key=lambda e: e.order)
        if admin or e.roles is None or role in e.roles
    ]
    groups: dict[str, list[NavEntry]] = {}
    for e in shown:
        groups.setdefault(str(e.group), []).append(e)
    return list(groups.items())


def portal_entries() -> list[NavEntry]:
    return sorted(_PORTAL, key=lambda e: e.order)
