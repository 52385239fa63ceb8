from __future__ import annotations

import unicodedata

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from bianmin.registry.demo.staff import DEMO_PASSWORD, SUPERUSER, demo_accounts
from bianmin.registry.models import Household, Organisation, Person, Role, Staff

ROLE_EN = {
    Role.WINDOW_CLERK: "window clerk",
    Role.VILLAGE_AGENT: "village agent",
    Role.DEPT_REVIEWER: "dept. reviewer",
    Role.GRID_WORKER: "grid worker",
    Role.DOCTOR: "doctor",
    Role.SUPERVISOR: "supervisor",
    Role.ADMIN: "administrator",
}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


class Command(BaseCommand):
    help = "列出演示账号与访问地址。 / Print the demo city's URL and demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="where the site runs")

    def handle(self, *args, url: str, **options):
        base = url.rstrip("/")
        names = [a.username for a in demo_accounts()]
        staff = {
            s.user.username: s
            for s in Staff.objects.select_related(
                "user", "org_unit__division", "backup__user"
            ).filter(user__username__in=names)
        }
        out = self.stdout.write
        out("")
        out("=" * 78)
        out("  便民 Bianmin — 演示城市 demo city: 武汉市 Wuhan")
        out(f"  网址 URL:            {base}/")
        out(f"  接口文档 API docs:   {base}{reverse('api-docs')}")
        out(f"  统一密码 password:   {DEMO_PASSWORD}   （所有演示账号 all demo accounts）")
        out(
            f"  人口 people: {Person.unscoped.count()}  户 households: {Household.unscoped.count()}"
            f"  法人 organisations: {Organisation.unscoped.count()}"
        )
        out("=" * 78)
        if not staff:
            out(
                self.style.WARNING(
                    "  尚无演示账号，请先运行 bianmin seed。"
                    " / No demo accounts yet: run `bianmin seed`."
                )
            )
            return
        rows = [("用户名 username", "角色 role", "单位 org unit", "管辖区域 area")]
        if get_user_model().objects.filter(username=SUPERUSER, is_superuser=True).exists():
            rows.append((SUPERUSER, "超级用户 superuser", "—", "全部 all"))
        for name in names:
            s = staff.get(name)
            if s is None:
                continue
            role = f"{s.get_role_display()} {ROLE_EN.get(s.role, s.role)}"
            unit = s.org_unit.name + (f"（B岗 {s.backup.user.username}）" if s.backup else "")
            area = (s.org_unit.division.full_name or s.org_unit.division.name).removeprefix(
                "湖北省"
            )
            rows.append((name, role, unit, area))
        widths = [max(_width(r[i]) for r in rows) for i in range(3)]
        for i, row in enumerate(rows):
            out(
                "  "
                + "  ".join(_pad(cell, widths[c]) for c, cell in enumerate(row[:3]))
                + "  "
                + row[3]
            )
            if i == 0:
                out("  " + "-" * (sum(widths) + 6 + _width(row[3])))
        others = Staff.objects.filter(role=Role.GRID_WORKER).exclude(user__username__in=names)
        out("")
        example = others.order_by("user__username").values_list("user__username", flat=True).first()
        out(
            f"  另有 {others.count()} 名网格员（wg_<社区拼音><网格号>，如 {example or '—'}），"
            f"密码相同。 / Plus {others.count()} more grid workers, same password."
        )
        out("")
        self._residents(base)

    def _residents(self, base: str) -> None:
        from bianmin.portal.demo import resident_logins

        rows = resident_logins()
        if not rows:
            return
        out = self.stdout.write
        out(f"  居民网上办事大厅 resident portal: {base}{reverse('portal:home')}")
        out("  手机号（登录名）phone      姓名 name   社区 community   说明 note")
        for r in rows:
            out(f"  {r.phone:<25}{_pad(r.name, 11)}{_pad(r.area, 16)} {r.hint}")
        out(f"  密码 password: {DEMO_PASSWORD}")
        out("")
