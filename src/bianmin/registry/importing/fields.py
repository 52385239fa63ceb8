"""A row's own fields: checked, and turned into the stored form — the half of the row checks
that needs nothing but the row (and the places it names), so it can run in worker processes.

A row is judged by `identity_fields` / `parse_citizen_id`, `normalize_mobile`,
`resolve_division`, `resolve_grid`, `area_code_for` and `ensure_in_scope` — the functions
`create_person` and `create_household` call — plus the same place rules those services apply,
with the same messages. What needs the whole file or the database (duplicates within the
file, people and 户 already registered, a 户's head) is `rows.RowChecker`'s, in the main
process, in file order.

The result of a batch is columnar (`Fields`): lists are cheaper to send between processes
than an object per row. With `copy_text`, a person is already the COPY text of every column
but the four the main process decides (id, household, registered division, area; see
`batch.PERSON_TEXT_FIELDS`); without it, a list in `batch.PERSON_FIELDS` order.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _g

from bianmin.core.identifiers import normalize_mobile
from bianmin.registry.importing.columns import (
    EXAMPLE_ID_NUMBER,
    ColumnMap,
    relationships,
    residence_types,
)
from bianmin.registry.importing.lookups import Places
from bianmin.registry.models import DivisionLevel, Relationship, ResidenceType, Tag
from bianmin.registry.naming import initials
from bianmin.registry.services.people import area_code_for, ensure_in_scope, identity_fields

_FIELDS = (
    "name", "id_number", "phone", "ethnicity", "residence_type", "registered_division",
    "residence_division", "grid", "registered_address", "residence_address", "household",
    "relationship", "tags",
)  # fmt: skip
PLACE_FIELDS = ("registered_division", "residence_division", "grid")
_TAG_SPLIT = re.compile(r"[,，、;；\s]+")
_VILLAGE = DivisionLevel.VILLAGE
_HEAD = Relationship.HEAD.value
# COPY text format: backslash, tab, newline and carriage return are escaped; NUL cannot be
# stored in PostgreSQL text at all.
_COPY_SPECIAL = re.compile(r"[\\\t\n\r\x00]")
_COPY_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": ""})
NULL = "\\N"


def copy_text(value: str) -> str:
    return value.translate(_COPY_ESCAPE)


def place_code(cell: str) -> str:
    """A division or grid code as the row checks read it (full-width digits made ASCII)."""
    code = cell.strip()
    return code if code.isascii() else unicodedata.normalize("NFKC", code)


@dataclass(slots=True)
class Fields:
    """A batch's rows after their own checks; index i is the batch's row i."""

    problems: list[list[str] | None] = field(default_factory=list)  # None: the row passed
    id_hashes: list[str] = field(default_factory=list)  # "" when the number did not parse
    people: list[Any] = field(default_factory=list)  # COPY text or PERSON_FIELDS list; None
    households: list[str] = field(default_factory=list)
    heads: list[bool] = field(default_factory=list)
    registered: list[str | None] = field(default_factory=list)  # division code
    areas: list[str] = field(default_factory=list)
    tags: list[tuple[str, ...]] = field(default_factory=list)
    # What a 户 this row is the first of would be: (division, grid, address, area), or why it
    # cannot be created (a message); None without a 户号.
    new_households: list[tuple | str | None] = field(default_factory=list)


class FieldChecker:
    """Checks a row's own fields. Needs the database only for the tags (when built) and for
    places not given to it beforehand (`places.preload`), which a worker never needs."""

    def __init__(
        self, *, columns: ColumnMap, job_id: Any, now: dt.datetime, copy_text: bool
    ) -> None:
        self.width = len(columns.headers)
        self.job_id = job_id
        self.now = now
        self.copy_text = copy_text
        # One C-level call picks a row's cells in _FIELDS order; an absent column reads the
        # empty cell padded at index `width`.
        picked = [columns.index.get(key, self.width) for key in _FIELDS]
        self._pick = itemgetter(*picked)
        self._reach = max(picked) + 1  # a shorter row is padded with empty cells
        self.places = Places()
        self._tags: dict[str, Tag] = {}
        for tag in Tag.objects.all():
            self._tags[tag.code.lower()] = tag
            self._tags[tag.name] = tag
        self._name_initials: dict[str, str] = {}
        self._scope: dict[str, str | None] = {}  # area → why it is out of scope, or None
        self._stamp = f"{now:%Y-%m-%d %H:%M:%S.%f%z}"
        # A birth date after today is refused; "today" is the day the import started.
        self._today = dt.date.today()
        self._job = NULL if job_id is None else str(job_id)

    def check(self, raw: Sequence[tuple[int, Sequence[Any]]]) -> Fields:
        out = Fields()
        for _number, values in raw:
            self._check(values, out)
        return out

    def _out_of_scope(self, area: str) -> str | None:
        try:
            return self._scope[area]
        except KeyError:
            try:
                ensure_in_scope(area)
                why = None
            except PermissionDenied as e:
                why = str(e)
            self._scope[area] = why
            return why

    def _check(self, values: Sequence[Any], out: Fields) -> None:
        if len(values) < self._reach:
            values = [*values, *([""] * (self.width + 1 - len(values)))]
        problems: list[str] = []
        (
            name, raw_id, raw_phone, ethnicity, residence_type, registered_code, residence_code,
            grid_code, registered_address, residence_address, household, relationship, raw_tags,
        ) = [v.strip() for v in self._pick(values)]  # fmt: skip
        if not (raw_id + raw_phone + registered_code + residence_code + grid_code).isascii():
            # Full-width digits (１２３, typed in a Chinese input method) are the same
            # numbers; without this the ID check's \d would accept them as they are.
            raw_id, raw_phone, registered_code, residence_code, grid_code = (
                unicodedata.normalize("NFKC", v)
                for v in (raw_id, raw_phone, registered_code, residence_code, grid_code)
            )
        if not name or len(name) > 50:
            problems.append(_g("请填写姓名（不超过50个字）。"))
        identity = None
        id_hash = ""
        if "e+" in raw_id.lower() or "." in raw_id:
            problems.append(
                _g("身份证号码被Excel存成了数字，末几位已丢失；请将该列设为文本格式后重新填写。")
            )
        else:
            try:
                identity = identity_fields(raw_id, today=self._today)
            except ValidationError as e:
                problems.extend(e.messages)
            else:
                id_hash = identity.id_hash
                if raw_id.upper() == EXAMPLE_ID_NUMBER:
                    problems.append(_g("这是导入模板中的示例行，请删除后再导入。"))
        try:
            phone = normalize_mobile(raw_phone)
        except ValidationError as e:
            problems.extend(e.messages)
            phone = ""
        if len(ethnicity) > 20:
            problems.append(_g("民族不能超过20个字。"))
        if residence_type:
            residence_type = residence_types().get(residence_type, "")
            if not residence_type:
                problems.append(_g("人口类型应为户籍、常住或流动。"))
        else:
            residence_type = ResidenceType.REGISTERED.value
        places = self.places
        registered = places.division(registered_code, problems)
        residence = places.division(residence_code, problems)
        grid = places.grid(grid_code, problems)
        if len(registered_address) > 200 or len(residence_address) > 200:
            problems.append(_g("地址不能超过200个字。"))
        if household and (not household.isalnum() or len(household) > 20):
            problems.append(_g("户号应为不超过20位的字母或数字。"))
        if relationship:
            code = relationships().get(relationship)
            if code is None:
                problems.append(
                    _g("与户主关系“%(value)s”无效，应为户主、配偶、子、女等或其代码。")
                    % {"value": relationship}
                )
            elif not household:
                problems.append(_g("填写与户主关系时须同时填写户号。"))
            relationship = code or ""
        elif household:
            problems.append(_g("填写户号时须填写与户主关系。"))
        tags = self._tag_codes(raw_tags, problems)
        if not problems:
            # The place rules of create_person, with its messages.
            residence = residence or (grid.community if grid is not None else None)
            if residence is not None and residence.level != _VILLAGE:
                problems.append(_g("现居住地应选择到村（社区）一级。"))
            elif grid is not None and residence is not None and grid.community_id != residence.code:
                problems.append(_g("网格不属于所选村（社区）。"))
            else:
                area = area_code_for(grid, residence, registered)
                if area:
                    why = self._out_of_scope(area)
                    if why is not None:
                        problems.append(why)
                elif not household:
                    problems.append(
                        _g("请至少填写户籍地区划代码、现居住村（社区）区划代码或网格编码之一。")
                    )
        out.id_hashes.append(id_hash)
        if problems:
            out.problems.append(problems)
            out.people.append(None)
            out.households.append("")
            out.heads.append(False)
            out.registered.append(None)
            out.areas.append("")
            out.tags.append(())
            out.new_households.append(None)
            return
        out.problems.append(None)
        out.households.append(household)
        out.heads.append(relationship == _HEAD)
        out.registered.append(registered.code if registered is not None else None)
        out.areas.append(area)
        out.tags.append(tags)
        out.new_households.append(
            self._new_household(
                household, registered, residence, grid, registered_address or residence_address
            )
            if household
            else None
        )
        grid_id = grid.code if grid is not None else None
        residence_id = residence.code if residence is not None else None
        if not self.copy_text:
            now = self.now
            out.people.append(
                [
                    identity.id_cipher, id_hash, identity.id_masked, identity.id_last4, name,
                    self._initials(name), identity.sex, identity.birth_date, ethnicity, phone,
                    relationship, registered_address, residence_address, residence_type, "alive",
                    "", area, now, now, grid_id, None,
                    registered.code if registered is not None else None, residence_id, self.job_id,
                ]
            )  # fmt: skip
            return
        if _COPY_SPECIAL.search(name + ethnicity + registered_address + residence_address):
            name, ethnicity = copy_text(name), copy_text(ethnicity)
            registered_address = copy_text(registered_address)
            residence_address = copy_text(residence_address)
        stamp = self._stamp
        out.people.append(  # PERSON_TEXT_FIELDS order
            f"{identity.id_cipher}\t{id_hash}\t{identity.id_masked}\t{identity.id_last4}\t"
            f"{name}\t{self._initials(name)}\t{identity.sex}\t{identity.birth_date}\t"
            f"{ethnicity}\t{phone}\t{relationship}\t{registered_address}\t{residence_address}\t"
            f"{residence_type}\talive\t\t{stamp}\t{stamp}\t{grid_id or NULL}\t"
            f"{residence_id or NULL}\t{self._job}\n"
        )

    def _new_household(self, number, registered, residence, grid, address) -> tuple | str:
        """create_household's rules for a 户 this row would be the first of."""
        division = (
            registered if (registered is not None and registered.level == _VILLAGE) else residence
        )
        if division is None:
            return _g("新建户“%(number)s”需要填写村（社区）一级的户籍地或现居住地。") % {
                "number": number
            }
        grid = grid if grid is not None and grid.community_id == division.code else None
        area = grid.code if grid is not None else division.prefix
        why = self._out_of_scope(area)
        if why is not None:
            return why
        return (division.code, grid.code if grid is not None else None, address, area)

    def _tag_codes(self, raw: str, problems: list[str]) -> tuple[str, ...]:
        if not raw:
            return ()
        codes = []
        for token in _TAG_SPLIT.split(raw):
            if not token:
                continue
            tag = self._tags.get(token) or self._tags.get(token.lower())
            if tag is None:
                problems.append(_g("标签“%(code)s”不存在。") % {"code": token})
            elif tag.derived:
                problems.append(_g("年龄类标签由出生日期自动推算，不能手工添加。"))
            elif tag.code not in codes:
                codes.append(tag.code)
        return tuple(codes)

    def _initials(self, name: str) -> str:
        # Names repeat (张伟, 王芳 …): remember them, a bounded number at a time.
        hit = self._name_initials.get(name)
        if hit is None:
            if len(self._name_initials) > 50_000:
                self._name_initials.clear()
            hit = self._name_initials[name] = initials(name)
        return hit
