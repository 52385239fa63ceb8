"""Demo staff accounts at every level, with memorable usernames and one documented password.

Named accounts are what `bianmin demo_logins` prints; besides them every grid in the
communities that have residents gets a grid worker of its own (wg_<community><nn>).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from faker import Faker
from pypinyin import lazy_pinyin

from bianmin.registry.demo.orgunits import CITY_CENTRE, OFFICE, centre_code, department_unit_code
from bianmin.registry.demo.places import short_name
from bianmin.registry.models import Division, Grid, OrgUnit, Role, Staff

# The one documented password of every demo account (README, `bianmin demo_logins`).
DEMO_PASSWORD = "Bianmin@2026"  # noqa: S105
SUPERUSER = "root"

# Real codes (tests/conftest.py uses the same): 大智街道 保成社区 / 泰宁社区, 民族街街道 万年社区,
# and a village of 黄陂区 前川街道 for the village agent.
DAZHI, MINZUJIE = "420102002000", "420103001000"
BAOCHENG, TAINING, WANNIAN = "420102002003", "420102002004", "420103001002"
WULI_VILLAGE = "420116001205"
_REVIEW_DISTRICTS = (("jiangan", "420102"), ("jianghan", "420103"))
_REVIEW_DEPARTMENTS = ("GA", "RS", "MZ", "WJ", "SCJG", "CL", "YB")
_REVIEW_BACKUPS = {"mz_jiangan": "mz_jiangan_b"}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    unit: str  # org unit code
    department: str | None = None
    backup: str | None = None  # username of the B-post colleague (AB岗)
    community: str | None = None  # grid workers: the community whose grids they look after


def demo_accounts() -> list[DemoAccount]:
    accounts = [
        DemoAccount("admin", Role.ADMIN, OFFICE, "ZW"),
        DemoAccount("jiancha", Role.SUPERVISOR, OFFICE, "ZW"),
        DemoAccount("chuangkou", Role.WINDOW_CLERK, CITY_CENTRE, "ZW", backup="chuangkou_b"),
        DemoAccount("chuangkou_b", Role.WINDOW_CLERK, CITY_CENTRE, "ZW", backup="chuangkou"),
        DemoAccount("ck_jiangan", Role.WINDOW_CLERK, "ZWZX-420102", backup="ck_jiangan_b"),
        DemoAccount("ck_jiangan_b", Role.WINDOW_CLERK, "ZWZX-420102", backup="ck_jiangan"),
        DemoAccount("ck_jianghan", Role.WINDOW_CLERK, "ZWZX-420103"),
    ]
    for slug, district in _REVIEW_DISTRICTS:
        for dept in _REVIEW_DEPARTMENTS:
            accounts.append(
                DemoAccount(
                    f"{dept.lower()}_{slug}",
                    Role.DEPT_REVIEWER,
                    department_unit_code(dept, district),
                    dept,
                    backup=_REVIEW_BACKUPS.get(f"{dept.lower()}_{slug}"),
                )
            )
    # AB岗 between reviewers: 民政 江岸区 has two (the cases demo has the second one on leave).
    accounts.append(
        DemoAccount(
            "mz_jiangan_b",
            Role.DEPT_REVIEWER,
            department_unit_code("MZ", "420102"),
            "MZ",
            backup="mz_jiangan",
        )
    )
    accounts += [
        DemoAccount("ck_dazhi", Role.WINDOW_CLERK, f"BMZX-{DAZHI}", backup="ck_dazhi_b"),
        DemoAccount("ck_dazhi_b", Role.WINDOW_CLERK, f"BMZX-{DAZHI}", backup="ck_dazhi"),
        DemoAccount("ck_minzujie", Role.WINDOW_CLERK, f"BMZX-{MINZUJIE}"),
        DemoAccount("wg_baocheng", Role.GRID_WORKER, f"BMS-{BAOCHENG}", community=BAOCHENG),
        DemoAccount("wg_taining", Role.GRID_WORKER, f"BMS-{TAINING}", community=TAINING),
        DemoAccount("wg_wannian", Role.GRID_WORKER, f"BMS-{WANNIAN}", community=WANNIAN),
        DemoAccount("dby_baocheng", Role.VILLAGE_AGENT, f"BMS-{BAOCHENG}"),
        DemoAccount("dby_wuli", Role.VILLAGE_AGENT, f"BMS-{WULI_VILLAGE}"),
        DemoAccount("ys_dazhi", Role.DOCTOR, f"WSY-{DAZHI}", "WJ"),
        DemoAccount("ys_minzujie", Role.DOCTOR, f"WSY-{MINZUJIE}", "WJ"),
    ]
    return accounts


def _slug(community: Division) -> str:
    name = short_name(community.name)
    for suffix in ("社区", "村"):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
    return "".join(lazy_pinyin(name)).lower() or community.code


def create_staff(*, seed: int, grids: list[Grid], people_communities: set[str]) -> dict[str, int]:
    """Create the named accounts, `root`, and one worker per grid of the communities with
    residents. Passwords are hashed once: hashing is deliberately slow."""
    fake = Faker("zh_CN")
    fake.seed_instance(f"{seed}:staff")
    rng = random.Random(f"{seed}:staff")
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    accounts = demo_accounts()
    named_communities = {a.community for a in accounts if a.community}
    units = OrgUnit.objects.in_bulk([a.unit for a in accounts])
    grid_accounts: list[tuple[str, Grid]] = []
    taken = {a.username for a in accounts}
    for grid in grids:
        if grid.community_id in named_communities or grid.community_id not in people_communities:
            continue
        username = f"wg_{_slug(grid.community)}{grid.code[-2:]}"
        while username in taken:  # two communities of the same name in different streets
            username += "x"
        taken.add(username)
        grid_accounts.append((username, grid))

    users = [User(username=SUPERUSER, password=password, is_staff=True, is_superuser=True)]
    users += [User(username=a.username, password=password) for a in accounts]
    users += [User(username=u, password=password) for u, _g in grid_accounts]
    for user in users[1:]:
        male = rng.random() < 0.45
        user.last_name = fake.last_name()
        user.first_name = fake.first_name_male() if male else fake.first_name_female()
    User.objects.bulk_create(users, batch_size=500)
    by_name = {u.username: u for u in User.objects.filter(username__in=list(taken))}

    staff = [
        Staff(
            user=by_name[a.username],
            org_unit=units[a.unit],
            department_id=a.department,
            role=a.role,
            display_name=_display(by_name[a.username]),
        )
        for a in accounts
    ]
    staff += [
        Staff(
            user=by_name[u],
            org_unit_id=centre_code(g.community),
            role=Role.GRID_WORKER,
            display_name=_display(by_name[u]),
        )
        for u, g in grid_accounts
    ]
    Staff.objects.bulk_create(staff, batch_size=500)
    by_user = {
        s.user.username: s
        for s in Staff.objects.select_related("user").filter(user__username__in=list(taken))
    }
    backed = []
    for a in accounts:
        if a.backup:
            by_user[a.username].backup = by_user[a.backup]
            backed.append(by_user[a.username])
    Staff.objects.bulk_update(backed, ["backup"])

    links = [Grid.workers.through(grid_id=g.code, user_id=by_name[u].pk) for u, g in grid_accounts]
    for a in accounts:
        if a.community:
            links += [
                Grid.workers.through(grid_id=g.code, user_id=by_name[a.username].pk)
                for g in grids
                if g.community_id == a.community
            ]
    Grid.workers.through.objects.bulk_create(links, batch_size=1000)
    return {"accounts": len(users), "grid_assignments": len(links)}


def _display(user) -> str:
    return f"{user.last_name}{user.first_name}"
