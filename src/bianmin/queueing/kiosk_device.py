"""Which browser is a hall's kiosk (自助终端登记).

The kiosk page is public (no one signs in at a kiosk), but it answers "does this ID number have
a booking here today?", and the page's address is on the open web. So only a device a member of
the hall's staff has enrolled may use it: enrolling sets a signed, HTTP-only cookie naming the
hall. Anyone else sees the page say so and can change nothing. On top, failed check-ins are
braked per device (`core/ratelimit.py`, "kiosk_checkin").
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE = "bianmin_kiosk"
_SALT = "bianmin.queueing.kiosk"
# A kiosk is set up once and stays; a year, then staff enrol it again.
MAX_AGE = 365 * 24 * 3600


def enrol(response: HttpResponse, *, hall_id: int, device: str) -> None:
    value = signing.dumps({"hall": hall_id, "device": device}, salt=_SALT)
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def device_of(request: HttpRequest, *, hall_id: int) -> str | None:
    """The enrolled device's id when this browser is a kiosk of `hall_id`, else None."""
    raw = request.COOKIES.get(COOKIE)
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=_SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("hall") != hall_id:
        return None
    return str(data.get("device") or "")
