"""What can stand in for a paper material: shared data (共享数据) and e-certificates (电子证照).

One list, so the catalogue, the one-window intake and (later) the sharing and certificate apps
agree on the codes. A material whose `shared_source` is one of these is not asked of the
applicant when the data can be fetched with the ID number (一号申请, 数据多跑路).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Data another department keeps and shares through the exchange platform.
SHARED_DATA = {
    "id_card": _("居民身份证信息（公安）"),
    "hukou": _("户籍信息（公安）"),
    "marriage": _("婚姻登记信息（民政）"),
    "dibao": _("低保、特困认定信息（民政）"),
    "disability": _("残疾人信息（残联）"),
    "social_insurance": _("社会保险参保缴费信息（人社）"),
    "death": _("死亡信息（公安、卫健）"),
    "birth": _("出生信息（卫健）"),
}

# Certificates the platform issues or receives electronically (电子证照库).
CERTIFICATE_TYPES = {
    "residence_permit": _("居住证"),
    "disability_card": _("残疾人证"),
    "business_license": _("营业执照"),
    "elderly_card": _("老年人优待证"),
    "unemployment_card": _("就业创业证"),
    "birth_certificate": _("出生医学证明"),
    "food_license": _("食品经营许可证"),
    "hygiene_license": _("公共场所卫生许可证"),
    "veteran_card": _("退役军人优待证"),
    "hukou_booklet": _("居民户口簿"),
}

SHARED_SOURCES = {**SHARED_DATA, **CERTIFICATE_TYPES}


def source_label(code: str) -> str:
    """How a shared source is named on a guide; an unknown code is shown as it is."""
    return str(SHARED_SOURCES.get(code, code)) if code else ""
