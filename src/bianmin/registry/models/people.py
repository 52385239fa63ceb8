from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bianmin.core.scope import ScopedManager
from bianmin.registry.models.divisions import Division, Grid
from bianmin.registry.models.org import Department


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Relationship(models.TextChoices):
    """与户主关系, codes after GB/T 4761 家庭关系代码."""

    HEAD = "02", _("户主")
    SPOUSE = "10", _("配偶")
    # 女 is also Sex.FEMALE: the context keeps "Daughter" and "Female" apart in translations.
    SON = "20", pgettext_lazy("与户主关系", "子")
    DAUGHTER = "30", pgettext_lazy("与户主关系", "女")
    GRANDCHILD = "40", _("孙子女或外孙子女")
    PARENT = "50", _("父母")
    GRANDPARENT = "60", _("祖父母或外祖父母")
    SIBLING = "70", _("兄弟姐妹")
    OTHER_RELATIVE = "80", _("其他亲属")
    NON_RELATIVE = "99", _("非亲属")


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("户籍人口")
    RESIDENT = "resident", _("常住人口")
    FLOATING = "floating", _("流动人口")


class LifeStatus(models.TextChoices):
    ALIVE = "alive", _("正常")
    DECEASED = "deceased", _("死亡")
    MOVED_OUT = "moved_out", _("迁出")


class HouseholdType(models.TextChoices):
    FAMILY = "family", _("家庭户")
    COLLECTIVE = "collective", _("集体户")


class Household(models.Model):
    """A 户: the people registered together under one head."""

    number = models.CharField(_("户号"), max_length=20, unique=True)
    household_type = models.CharField(
        _("户别"), max_length=12, choices=HouseholdType.choices, default=HouseholdType.FAMILY
    )
    division = models.ForeignKey(
        Division,
        verbose_name=_("户籍地（村、社区）"),
        on_delete=models.PROTECT,
        related_name="households",
        db_index=False,  # nothing filters by it; divisions are reference data, never deleted
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("所属网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="households",
        db_index=False,  # in Meta.indexes: here a FK to a code would also get a LIKE twin
    )
    address = models.CharField(_("住址"), max_length=200, blank=True)
    area_code = models.CharField(_("管辖区划"), max_length=14)
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_area_field = "area_code"
    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["number"]
        # Only what a query uses (see docs/registry.md, "Indexes"): the scope's LIKE 'prefix%'
        # (varchar_pattern_ops also serves equality) and the grid filter. 户号 keeps its
        # unique index and Django's LIKE twin, which `number__startswith` uses.
        indexes = [
            models.Index(
                fields=["area_code"],
                name="registry_household_area",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["grid"], name="registry_household_grid"),
        ]

    def __str__(self) -> str:
        return self.number


class Person(models.Model):
    """A resident in the 人口库. The citizen ID number is the one key (一号).

    The number itself is stored only encrypted (`id_cipher`); it is found through a keyed
    hash (`id_hash`) and shown through `id_masked`. Birth date and sex come from the number
    and are never typed separately.
    """

    id_cipher = models.TextField(_("身份证号（密文）"))
    # Unique through Meta.constraints: `unique=True` would add a varchar_pattern_ops twin
    # (120 MB at 1M people) that no query uses — hashes are only ever compared whole.
    id_hash = models.CharField(_("身份证号索引"), max_length=64)
    id_masked = models.CharField(_("身份证号"), max_length=18)
    id_last4 = models.CharField(_("证件号后四位"), max_length=4)
    name = models.CharField(_("姓名"), max_length=50)
    name_initials = models.CharField(_("姓名拼音首字母"), max_length=20)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"), db_index=True)  # age ranges: tags, programs
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    phone = models.CharField(_("手机号码"), max_length=11, blank=True)
    household = models.ForeignKey(
        Household,
        verbose_name=_("所在户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )  # indexed: a household's members, and whether it has a head (the import asks per 户号)
    relationship = models.CharField(
        _("与户主关系"), max_length=2, choices=Relationship.choices, blank=True
    )
    registered_division = models.ForeignKey(
        Division,
        verbose_name=_("户籍地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_people",
        db_index=False,  # nothing filters by it; divisions are never deleted
    )
    registered_address = models.CharField(_("户籍地址"), max_length=200, blank=True)
    residence_division = models.ForeignKey(
        Division,
        verbose_name=_("现居住村（社区）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resident_people",
        db_index=False,  # nothing filters by it; divisions are never deleted
    )
    grid = models.ForeignKey(
        Grid,
        verbose_name=_("现居住网格"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
        db_index=False,  # in Meta.indexes: here a FK to a code would also get a LIKE twin
    )
    residence_address = models.CharField(_("现居住地址"), max_length=200, blank=True)
    residence_type = models.CharField(
        _("人口类型"),
        max_length=12,
        choices=ResidenceType.choices,
        default=ResidenceType.REGISTERED,
    )
    life_status = models.CharField(
        _("人员状态"), max_length=10, choices=LifeStatus.choices, default=LifeStatus.ALIVE
    )
    status_date = models.DateField(_("状态变更日期"), null=True, blank=True)
    status_source = models.CharField(_("状态信息来源"), max_length=100, blank=True)
    # Where the person is managed: grid code, else community code, else registered division.
    area_code = models.CharField(_("管辖区划"), max_length=14)
    tags = models.ManyToManyField(
        "Tag",
        verbose_name=_("重点人群标签"),
        through="PersonTag",
        related_name="people",
        blank=True,
    )
    source_import = models.ForeignKey(
        "ImportJob",
        verbose_name=_("导入批次"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # nothing asks which people a job created; jobs are never deleted
    )
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_area_field = "area_code"
    objects = ScopedManager()
    unscoped = models.Manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["area_code", "name", "id"]
        # Each index is paid for by every insert (a 1M-row import writes each one a million
        # times), so only those a query uses — checked with EXPLAIN at 1M people, see
        # docs/registry.md "Indexes". Name search is `contains` (no B-tree helps) and the
        # last-four search an equality on `id_last4`.
        constraints = [models.UniqueConstraint(fields=["id_hash"], name="registry_person_id_hash")]
        indexes = [
            # Lists in Meta.ordering (the whole of it: no sort after the walk), equality on
            # area_code; with `id`, an area's capped count joined to a tag is an index-only
            # scan hashed against the tag's links (28 ms for a district, 0.15 s without).
            models.Index(fields=["area_code", "name", "id"], name="registry_person_list"),
            # The scope's LIKE 'prefix%': a default-opclass index cannot serve it under a
            # non-C collation (C.UTF-8 included).
            models.Index(
                fields=["area_code"], name="registry_person_area", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["name_initials"],
                name="registry_person_initials",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["id_last4"], name="registry_person_last4"),
            models.Index(fields=["grid"], name="registry_person_grid"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_masked}）"

    def age_on(self, day: dt.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    @property
    def age(self) -> int:
        from django.utils import timezone

        return self.age_on(timezone.localdate())

    @property
    def phone_masked(self) -> str:
        from bianmin.core.masking import mask_phone

        return mask_phone(self.phone)


class TagCategory(models.TextChoices):
    AGE = "age", _("年龄")
    DISABILITY = "disability", _("残疾")
    ASSISTANCE = "assistance", _("社会救助")
    POVERTY = "poverty", _("扶贫")
    CHILD = "child", _("未成年人")
    HEALTH = "health", _("健康")
    SERVICE = "service", _("优抚与其他")


class Tag(models.Model):
    """A key-population tag (重点人群). Age tags are derived from the birth date and never
    attached by hand; `restricted_to` keeps health tags within the health department."""

    code = models.SlugField(_("标签代码"), max_length=30, primary_key=True)
    name = models.CharField(_("标签名称"), max_length=30)
    category = models.CharField(_("类别"), max_length=12, choices=TagCategory.choices)
    derived = models.BooleanField(_("自动推算"), default=False)
    min_age = models.PositiveSmallIntegerField(_("起始年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("截止年龄（不含）"), null=True, blank=True)
    restricted_to = models.ForeignKey(
        Department,
        verbose_name=_("仅限部门可见"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sort = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("重点人群标签")
        verbose_name_plural = _("重点人群标签")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class PersonTag(models.Model):
    # person: uniq_person_tag leads with it, so no index of its own.
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="tag_links", db_index=False
    )
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="+", db_index=False)
    since = models.DateField(_("认定日期"), null=True, blank=True)
    source = models.CharField(_("认定来源"), max_length=100, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # nothing filters by it; a deleted user's links are rare enough to scan
    )

    class Meta:
        verbose_name = _("人员标签")
        verbose_name_plural = _("人员标签")
        constraints = [models.UniqueConstraint(fields=["person", "tag"], name="uniq_person_tag")]
        indexes = [models.Index(fields=["tag"], name="registry_persontag_tag")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.tag_id}"
