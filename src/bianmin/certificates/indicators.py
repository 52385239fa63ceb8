"""电子证照 indicators, declared in the city's indicator library (`bianmin.indicators`; this
module is autodiscovered): certificates issued in the month, in total, from approved cases and
per type; certificates in force at the month's end; certificates revoked in the month. Counted
by the holder's area (`area_code`: a person's grid or community, an organisation's division),
so they add up from grid to city like every other figure of the library.

Which day counts: 颁发日期 (`issued_on`) for issue — a certificate loaded from a department's
system counts in the month it was issued there, not the month it was loaded; the time of the
status change for revocation. "In force at the month's end" is read from the dates and the
revocation time, not from the stored status, so a past month reads as it stood then (a
certificate past its date before the nightly expiry job ran is not in force)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from bianmin.catalog.sources import CERTIFICATE_TYPES
from bianmin.indicators.library import AS_OF, MONTH, Indicator, Measure, Period, register

MODEL = "certificates.Certificate"
CATEGORY = _("电子证照")
UNIT = _("张")


def issued(where=None) -> Measure:
    return Measure(MODEL, date="issued_on", period=MONTH, where=where)


def in_force_at_end(period: Period) -> Q:
    """Not past its last day and not revoked by the end of the month. Both the issue and the
    revocation decide it, and a certificate has no single "changed" time covering both, so the
    measure is recomputed in full on every refresh (`changed=None`)."""
    not_expired = Q(valid_until__isnull=True) | Q(valid_until__gte=period.end)
    not_revoked = ~Q(status="revoked") | Q(status_changed_at__gte=period.end_at)
    return not_expired & not_revoked


def _per_type() -> list[Indicator]:
    return [
        Indicator(
            code=f"certificates.issued_{code}",
            name=format_lazy(_("{type}签发数"), type=name),
            unit=UNIT,
            category=CATEGORY,
            formula=format_lazy(_("颁发日期在统计期内的{type}张数"), type=name),
            measure=issued({"type_id": code}),
        )
        for code, name in CERTIFICATE_TYPES.items()
    ]


register(
    Indicator(
        code="certificates.issued",
        name=_("电子证照签发数"),
        unit=UNIT,
        category=CATEGORY,
        formula=_(
            "颁发日期在统计期内的电子证照张数（办件办结签发、部门系统归集、窗口补录），"
            "按持证主体所在区划统计"
        ),
        measure=issued(),
    ),
    Indicator(
        code="certificates.issued_from_cases",
        name=_("办件办结签发证照数"),
        unit=UNIT,
        category=CATEGORY,
        formula=_("颁发日期在统计期内、由准予办结的办件自动签发的电子证照张数"),
        measure=issued({"source": "case"}),
    ),
    *_per_type(),
    Indicator(
        code="certificates.in_force",
        name=_("有效电子证照数"),
        unit=UNIT,
        category=CATEGORY,
        formula=_("月末已颁发、未过有效期且未注销的电子证照张数"),
        measure=Measure(MODEL, date="issued_on", period=AS_OF, where=in_force_at_end, changed=None),
    ),
    Indicator(
        code="certificates.revoked",
        name=_("电子证照注销数"),
        unit=UNIT,
        category=CATEGORY,
        formula=_("统计期内注销的电子证照张数（含持证人死亡注销）"),
        measure=Measure(
            MODEL,
            date="status_changed_at",
            period=MONTH,
            where={"status": "revoked"},
            # Revoking stamps status_changed_at, the row's only change after issue.
            changed="status_changed_at",
        ),
    ),
    source="certificates",
)
