"""Checking register rows, a batch at a time, with the validators the services use.

A row is judged by `identity_fields` / `parse_citizen_id`, `normalize_mobile`,
`resolve_division`, `resolve_grid`, `area_code_for` and `ensure_in_scope` — the functions
`create_person` and `create_household` call — plus the same place rules those services apply,
with the same messages. What differs is only how often the database is asked: look-ups are
cached per code, and each batch asks once which of its numbers and 户号 already exist.

Per row this costs ~25 µs of Python, most of it the ID check and its encryption (the row is
turned into its stored form here, once). State kept across batches, and so growing with the
file: the numbers seen so far (a set of 60-bit ints, ~70 bytes a row) to refuse duplicates
within the file, and the 户号 met so far (see `households`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _g

from bianmin.core.identifiers import normalize_mobile
from bianmin.registry.importing.batch import CheckedBatch, Row
from bianmin.registry.importing.columns import (
    EXAMPLE_ID_NUMBER,
    ColumnMap,
    relationships,
    residence_types,
)
from bianmin.registry.importing.households import Households
from bianmin.registry.importing.lookups import Places, existing_people
from bianmin.registry.models import (
    DivisionLevel,
    ResidenceType,
    Tag,
)
from bianmin.registry.naming import initials
from bianmin.registry.services.people import (
    area_code_for,
    ensure_in_scope,
    identity_fields,
)

_FIELDS = (
    "name", "id_number", "phone", "ethnicity", "residence_type", "registered_division",
    "residence_division", "grid", "registered_address", "residence_address", "household",
    "relationship", "tags",
)  # fmt: skip
_TAG_SPLIT = re.compile(r"[,，、;；\s]+")
_VILLAGE = DivisionLevel.VILLAGE


class RowChecker:
    """Checks batches of rows for one import. Keep one per pass over a file."""

    def __init__(self, *, columns: ColumnMap, job_id: Any, now: dt.datetime | None = None):
        self.columns = columns
        self.job_id = job_id
        self.now = now or timezone.now()
        self.width = len(columns.headers)
        # One C-level call picks a row's cells in _FIELDS order; an absent column reads the
        # empty cell padded at index `width`.
        self._pick = itemgetter(*(columns.index.get(key, self.width) for key in _FIELDS))
        self._places = Places()
        self._tags = {}
        for tag in Tag.objects.all():
            self._tags[tag.code.lower()] = tag
            self._tags[tag.name] = tag
        self._seen: set[int] = set()
        self._name_initials: dict[str, str] = {}
        self._households = Households(now=self.now)
        # A first load (see firstload): the register is empty and locked by the import, so
        # nobody is registered already and no 户 exists.
        self.assume_empty = False

    # --- one batch ----------------------------------------------------------------------------

    def check_batch(self, raw: Sequence[tuple[int, Sequence[Any]]]) -> CheckedBatch:
        batch = CheckedBatch(rows=len(raw))
        self._preload_places(raw)
        rows = [self._check_fields(number, values) for number, values in raw]
        if self.assume_empty:
            existing: set[str] = set()
        else:
            existing = existing_people([r.id_hash for r in rows if r.id_hash and not r.problems])
            self._households.load({r.household for r in rows if r.household and not r.problems})
        seen = self._seen
        for row in rows:
            if row.id_hash:
                key = int(row.id_hash[:15], 16)
                if key in seen:
                    row.problems.append(
                        _g("身份证号码在本文件中重复出现（以第一次出现的行为准）。")
                    )
                else:
                    seen.add(key)
            if row.problems:
                batch.errors.append((row.number, row.values, "；".join(row.problems)))
                continue
            if row.id_hash in existing:
                # Keyed by the ID number: already registered means skipped, never overwritten —
                # corrections go through update_person, which audits each change.
                batch.unchanged += 1
                continue
            if row.household and not self._households.place(row, batch):
                batch.errors.append((row.number, row.values, "；".join(row.problems)))
                continue
            batch.people.append(row.person)
            batch.tag_links.extend((row.id_hash, code) for code in row.tags)
        return batch

    # --- a row's own fields -----------------------------------------------------------------

    def _check_fields(self, number: int, values: Sequence[Any]) -> Row:
        if len(values) <= self.width:
            values = [*values, *([""] * (self.width + 1 - len(values)))]
        problems: list[str] = []
        row = Row(number, values, problems)
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
        if "e+" in raw_id.lower() or "." in raw_id:
            problems.append(
                _g("身份证号码被Excel存成了数字，末几位已丢失；请将该列设为文本格式后重新填写。")
            )
        else:
            try:
                identity = identity_fields(raw_id)
            except ValidationError as e:
                problems.extend(e.messages)
            else:
                row.id_hash = identity.id_hash
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
        places = self._places
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
        if problems:
            return row
        # The place rules of create_person, with its messages.
        residence = residence or (grid.community if grid is not None else None)
        if residence is not None and residence.level != _VILLAGE:
            problems.append(_g("现居住地应选择到村（社区）一级。"))
            return row
        if grid is not None and residence is not None and grid.community_id != residence.code:
            problems.append(_g("网格不属于所选村（社区）。"))
            return row
        area = area_code_for(grid, residence, registered)
        if area:
            try:
                ensure_in_scope(area)
            except PermissionDenied as e:
                problems.append(str(e))
                return row
        elif not household:
            problems.append(
                _g("请至少填写户籍地区划代码、现居住村（社区）区划代码或网格编码之一。")
            )
            return row
        row.household, row.relationship, row.tags = household, relationship, tags
        row.registered, row.residence, row.grid = registered, residence, grid
        now = self.now
        row.person = [
            identity.id_cipher,
            identity.id_hash,
            identity.id_masked,
            identity.id_last4,
            name,
            self._initials(name),
            identity.sex,
            identity.birth_date,
            ethnicity,
            phone,
            relationship,
            registered_address,
            residence_address,
            residence_type,
            "alive",
            "",
            area,
            now,
            now,
            grid.code if grid is not None else None,
            None,
            registered.code if registered is not None else None,
            residence.code if residence is not None else None,
            self.job_id,
        ]
        return row

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

    def remember_household_ids(self, ids: dict[str, int]) -> None:
        self._households.remember_ids(ids)

    def _preload_places(self, raw: Sequence[tuple[int, Sequence[Any]]]) -> None:
        index = self.columns.index
        divisions: set[str] = set()
        grids: set[str] = set()
        for key, into in (
            ("registered_division", divisions),
            ("residence_division", divisions),
            ("grid", grids),
        ):
            i = index.get(key)
            if i is not None:
                cells = {v[i] for _n, v in raw if len(v) > i}
                into.update(c.strip() for c in cells)
        divisions.discard("")
        grids.discard("")
        self._places.preload(divisions, grids)

    # --- households -------------------------------------------------------------------------
