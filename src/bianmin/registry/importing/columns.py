"""The register template: its columns, how a file's header row maps onto them, the .xlsx.

Headers are Chinese, as community registers are. A header row with a missing required column,
an unknown column or a column given twice is refused as a whole, naming the columns, before
any row is read — a shifted column would otherwise put phone numbers into names.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from bianmin.core.identifiers import make_citizen_id
from bianmin.registry.models import Relationship, ResidenceType


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str
    required: bool
    example: str
    note: str
    aliases: tuple[str, ...] = ()
    width: int = 14


# A valid number that is obviously the template's own: a row carrying it is refused, so an
# example row left in the sheet never becomes a person.
EXAMPLE_ID_NUMBER = make_citizen_id("420102", dt.date(1985, 6, 15), 123)

COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", True, "张伟", "必填，不超过50个字。", width=10),
    Column(
        "id_number",
        "身份证号码",
        True,
        EXAMPLE_ID_NUMBER,
        "必填。18位（末位可为X）或15位旧号码，按GB 11643校验。此列须为文本格式，"
        "否则Excel会把号码存成数字并丢失末几位。同一号码已在人口库中的，该行跳过，不修改原记录。",
        aliases=("身份证号", "公民身份号码", "证件号码"),
        width=22,
    ),
    Column(
        "phone",
        "手机号码",
        True,
        "13812345678",
        "必填，以1开头的11位数字。",
        aliases=("手机号", "联系电话", "手机"),
        width=14,
    ),
    Column("ethnicity", "民族", False, "汉族", "选填，不超过20个字。", width=8),
    Column(
        "residence_type",
        "人口类型",
        False,
        "户籍",
        "选填：户籍、常住或流动（也可写户籍人口、常住人口、流动人口），不填按户籍。",
        width=10,
    ),
    Column(
        "registered_division",
        "户籍地区划代码",
        False,
        "420102002003",
        "选填：户籍所在地的区划代码，6位（县级）或12位（乡镇、村社区）统计用区划代码。",
        aliases=("户籍地代码",),
        width=16,
    ),
    Column(
        "registered_address",
        "户籍地址",
        False,
        "武汉市江岸区大智街保成路12号",
        "选填，不超过200个字。",
        width=28,
    ),
    Column(
        "residence_division",
        "现居住村（社区）区划代码",
        False,
        "420102002003",
        "选填：现居住村（社区）的12位区划代码。",
        aliases=("现居住地区划代码",),
        width=16,
    ),
    Column(
        "grid",
        "网格编码",
        False,
        "",
        "选填：14位网格编码（村社区代码+2位序号）。填写网格后可不填现居住村（社区）。",
        width=16,
    ),
    Column(
        "residence_address",
        "现居住地址",
        False,
        "武汉市江岸区大智街保成路12号",
        "选填，不超过200个字。",
        width=28,
    ),
    Column(
        "household",
        "户号",
        False,
        "H2026000001",
        "选填：不超过20位字母或数字。户号已存在则加入该户，否则按本行的村（社区）新建户。",
        width=14,
    ),
    Column(
        "relationship",
        "与户主关系",
        False,
        "户主",
        "填写户号时必填：户主、配偶、子、女等，或GB/T 4761代码（02户主、10配偶…）。"
        "每户只能有一名户主。",
        width=10,
    ),
    Column(
        "tags",
        "重点人群标签",
        False,
        "",
        "选填：标签名称或代码，多个用逗号分隔。年龄类标签由出生日期自动推算，不能填写。",
        aliases=("标签",),
        width=18,
    ),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = tuple(c for c in COLUMNS if c.required)
# Columns our own error sheet adds: a corrected error sheet can be uploaded again as it is.
ROW_NUMBER_HEADER = "行号"
ERROR_HEADER = "错误原因"
IGNORED = frozenset({ROW_NUMBER_HEADER, ERROR_HEADER})

_TRANSLATE = str.maketrans(
    {
        "(": "（",
        ")": "）",
        " ": None,
        "\u3000": None,
        "*": None,
        "＊": None,
        "\n": None,
        "\r": None,
        "\t": None,
    }
)


def normalise_header(raw: object) -> str:
    return ("" if raw is None else str(raw)).strip().lstrip("\ufeff").translate(_TRANSLATE)


_LOOKUP: dict[str, str] = {}
for _c in COLUMNS:
    for _name in (_c.header, *_c.aliases):
        _LOOKUP[normalise_header(_name)] = _c.key


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Where each known column sits in the file's rows (None: not in the file)."""

    headers: tuple[str, ...]  # the file's header row as written, for the error sheet
    index: dict[str, int]

    def get(self, key: str) -> int | None:
        return self.index.get(key)


def match_headers(raw_headers: Sequence[object]) -> ColumnMap:
    """Map a header row onto the template, or refuse it naming what is wrong."""
    headers = tuple("" if h is None else str(h).strip() for h in raw_headers)
    # Trailing empty header cells are common (formatted but unused columns); drop them.
    while headers and not headers[-1]:
        headers = headers[:-1]
    index: dict[str, int] = {}
    unknown: list[str] = []
    twice: list[str] = []
    for i, header in enumerate(headers):
        norm = normalise_header(header)
        if not norm or norm in IGNORED:
            continue
        key = _LOOKUP.get(norm)
        if key is None:
            unknown.append(header)
        elif key in index:
            twice.append(header)
        else:
            index[key] = i
    missing = [c.header for c in REQUIRED if c.key not in index]
    problems = []
    if missing:
        problems.append(_g("缺少必填列：%(cols)s") % {"cols": "、".join(missing)})
    if unknown:
        problems.append(_g("无法识别的列：%(cols)s") % {"cols": "、".join(unknown)})
    if twice:
        problems.append(_g("重复的列：%(cols)s") % {"cols": "、".join(twice)})
    if problems:
        raise ValidationError(
            _(
                "表头与导入模板不符（%(problems)s）。请下载导入模板，按模板的列名填写；未导入任何数据。"
            ),
            code="import_columns",
            params={"problems": "；".join(problems)},
        )
    return ColumnMap(headers=headers, index=index)


# --- Value vocabularies of the row checks ---------------------------------------------------


@cache
def residence_types() -> dict[str, str]:
    """Written form (户籍, 户籍人口, registered) → ResidenceType value."""
    table: dict[str, str] = {}
    with translation.override("zh-hans"):  # files are Chinese whatever the user's UI language
        for value, label in ResidenceType.choices:
            table[value] = value
            table[str(label)] = value
            table[str(label).removesuffix("人口")] = value
    return table


@cache
def relationships() -> dict[str, str]:
    """Written form (户主, 02, 长子, 22) → Relationship value (GB/T 4761 group code)."""
    table: dict[str, str] = {}
    with translation.override("zh-hans"):
        for value, label in Relationship.choices:
            table[value] = value
            table[str(label)] = value
    # Words registers use for the GB/T 4761 groups, and its detailed codes (22 长子 → 20).
    for words, value in (
        ("妻 夫 妻子 丈夫 爱人", "10"),
        ("儿子 长子 次子 三子 独生子 养子 继子", "20"),
        ("女儿 长女 次女 三女 独生女 养女 继女", "30"),
        ("孙子 孙女 外孙子 外孙女 孙子女", "40"),
        ("父亲 母亲 父 母 公公 婆婆 岳父 岳母", "50"),
        ("祖父 祖母 外祖父 外祖母", "60"),
        ("兄 弟 姐 妹 哥哥 弟弟 姐姐 妹妹", "70"),
        ("其他", "80"),
    ):
        for word in words.split():
            table[word] = value
    for group, value in (
        ("1", "10"),
        ("2", "20"),
        ("3", "30"),
        ("4", "40"),
        ("5", "50"),
        ("6", "60"),
        ("7", "70"),
        ("8", "80"),
        ("9", "99"),
    ):
        for digit in "0123456789":
            table.setdefault(group + digit, value)
    return table


# --- The downloadable template ---------------------------------------------------------------


def template_workbook(tags: Iterable[tuple[str, str]]) -> bytes:
    """The .xlsx users fill in: a data sheet (header + one example row) and a notes sheet.

    `tags` are (code, name) of the tags an import may set, listed on the notes sheet.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "人员信息"
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    optional_fill = PatternFill("solid", fgColor="DDEBF7")
    for col, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=col, value=column.header)
        cell.font = bold
        cell.fill = required_fill if column.required else optional_fill
        example = ws.cell(row=2, column=col, value=column.example or None)
        # Text format on the data cells, so Excel keeps all 18 digits of an ID number.
        example.number_format = "@"
        letter = cell.column_letter
        ws.column_dimensions[letter].width = column.width
        for row in range(3, 1001):
            ws.cell(row=row, column=col).number_format = "@"
    ws.freeze_panes = "A2"

    notes = wb.create_sheet("填写说明")
    notes.append(["列名", "是否必填", "填写说明", "示例"])
    for cell in notes[1]:
        cell.font = bold
    for column in COLUMNS:
        notes.append(
            [column.header, "必填" if column.required else "选填", column.note, column.example]
        )
    notes.append([])
    general = [
        "第一行是表头，请勿修改列名；不需要的选填列可以删除。第2行是示例（其身份证号码为模板示例号码，"
        "不会被导入），请删除或覆盖后填写。",
        "户籍地区划代码、现居住村（社区）区划代码、网格编码至少填写一项，且须在您的管辖范围内。",
        "导入方式：默认“全部正确才导入”——有任何一行错误则不导入任何数据，并提供错误明细表；"
        "也可选择“仅导入正确的行”。",
        "重复导入同一文件不会产生重复人员：身份证号码已在人口库中的人员计为“已存在（跳过）”，"
        "原记录不被修改（修改请在人员页面办理，以便逐项留痕）。同一文件内身份证号码重复的行为错误行。",
        "也支持CSV文件（UTF-8或GB18030/GBK编码，Excel“另存为CSV”均可），列名与本模板相同。",
        "与户主关系可填：" + "、".join(str(label) for _v, label in Relationship.choices) + "。",
        "人口类型可填：户籍、常住、流动。",
        "可填写的重点人群标签：" + "、".join(f"{name}（{code}）" for code, name in tags) + "。",
    ]
    for line in general:
        notes.append(["说明", "", line, ""])
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 90
    notes.column_dimensions["D"].width = 24
    for row in notes.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
