"""The certificate types every installation knows: one per code of
`catalog.sources.CERTIFICATE_TYPES`, loaded by migration 0002.

`type_code` is the GB/T 36904 证照类型代码 part of the identifier. Until the types are
registered with the national e-certificate catalogue, the codes are local: the defining
department's code, "4201" (the city that defines them) and a sequence — only digits and capital
letters, so they fit the MOD 37,36 check-character alphabet. Replacing them later changes new
identifiers only; issued ones keep theirs (the code is inside the signed identifier).

Fields are required only when the registers hold them (a certificate issued from an approved
case is filled from the person's or organisation's record); what only a department's own
system knows (a disability assessment, a licence's business items) is optional here and comes
with the certificate when it is loaded through the exchange.
"""

from __future__ import annotations

TEXT, DATE, CHOICE = "text", "date", "choice"


def field(name: str, label: str, kind: str = TEXT, *, required: bool = True, choices=()) -> dict:
    spec = {"name": name, "label": label, "kind": kind, "required": required}
    if choices:
        spec["choices"] = list(choices)
    return spec


# code, name, type code, holder kind, validity years, department, fields
TYPES: list[tuple[str, str, str, str, int | None, str, list[dict]]] = [
    (
        "residence_permit",
        "居住证",
        "GA4201001",
        "person",
        1,
        "GA",
        [
            field("residence_address", "居住地住址"),
            field("registered_address", "户籍地址", required=False),
        ],
    ),
    (
        "disability_card",
        "残疾人证",
        "CL4201001",
        "person",
        10,
        "CL",
        [
            field(
                "disability_kind",
                "残疾类别",
                CHOICE,
                choices=[
                    "视力残疾",
                    "听力残疾",
                    "言语残疾",
                    "肢体残疾",
                    "智力残疾",
                    "精神残疾",
                    "多重残疾",
                ],
            ),
            field(
                "disability_grade",
                "残疾等级",
                CHOICE,
                choices=["一级", "二级", "三级", "四级"],
                required=False,
            ),
            field("guardian", "监护人", required=False),
        ],
    ),
    (
        "business_license",
        "营业执照",
        "SCJG4201001",
        "organisation",
        None,
        "SCJG",
        [
            field("entity_type", "类型"),
            field("legal_rep", "法定代表人"),
            field("registered_capital", "注册资本", required=False),
            field("established", "成立日期", DATE),
            field("address", "住所"),
            field("business_scope", "经营范围", required=False),
        ],
    ),
    (
        "elderly_card",
        "老年人优待证",
        "MZ4201001",
        "person",
        None,
        "MZ",
        [
            field(
                "card_level", "优待类别", CHOICE, choices=["60周岁以上", "70周岁以上", "80周岁以上"]
            )
        ],
    ),
    (
        "unemployment_card",
        "就业创业证",
        "RS4201001",
        "person",
        None,
        "RS",
        [
            field("employment_status", "就业状态", CHOICE, choices=["失业", "就业", "创业"]),
            field("registered_on", "登记日期", DATE),
        ],
    ),
    (
        "birth_certificate",
        "出生医学证明",
        "WJ4201001",
        "person",
        None,
        "WJ",
        [
            field("born_at", "出生地点", required=False),
            field("institution", "接生机构", required=False),
            field("mother_name", "母亲姓名", required=False),
            field("father_name", "父亲姓名", required=False),
        ],
    ),
    (
        "food_license",
        "食品经营许可证",
        "SCJG4201002",
        "organisation",
        5,
        "SCJG",
        [
            field("licence_no", "许可证编号", required=False),
            field("business_address", "经营场所"),
            field("main_business", "主体业态", required=False),
            field("business_items", "经营项目", required=False),
        ],
    ),
    (
        "hygiene_license",
        "公共场所卫生许可证",
        "WJ4201002",
        "organisation",
        4,
        "WJ",
        [
            field("licence_no", "许可证编号", required=False),
            field("business_address", "经营场所"),
            field("business_items", "许可项目", required=False),
        ],
    ),
    (
        "veteran_card",
        "退役军人优待证",
        "TYJR4201001",
        "person",
        None,
        "TYJR",
        [field("category", "优待对象类别", required=False)],
    ),
    (
        "hukou_booklet",
        "居民户口簿",
        "GA4201002",
        "person",
        None,
        "GA",
        [
            field("household_no", "户号"),
            field("household_type", "户别"),
            field("address", "住址"),
        ],
    ),
]


def load(apps, schema_editor) -> None:
    CertificateType = apps.get_model("certificates", "CertificateType")
    for code, name, type_code, holder_kind, years, dept, fields in TYPES:
        CertificateType.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "type_code": type_code,
                "holder_kind": holder_kind,
                "validity_years": years,
                "department_id": dept,
                "fields": fields,
            },
        )
