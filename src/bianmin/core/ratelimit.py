"""Attempt counters in Django's cache, the brake on anything a stranger can try repeatedly:
portal registration and sign-in (per client IP and per phone number, so the registry cannot be
probed for who lives here and passwords cannot be guessed at speed) and the hall kiosk's
appointment check-in (per kiosk, so an ID number cannot be tried against today's bookings).

Fixed windows (`cache.add` then `incr`): simple, and exact enough for a brake. With the default
per-process memory cache each worker counts on its own; production configures a shared cache
(Redis, Memcached or the database cache) and the same code counts across workers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from bianmin.core import crypto


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    seconds: int


# (attempts, window in seconds); overridable in settings.BIANMIN["RATE_LIMITS"] =
# {"register_ip": (20, 3600), …}.
DEFAULTS = {
    "register_ip": (20, 3600),
    "register_phone": (5, 3600),
    "signin_ip": (30, 900),
    "signin_phone": (5, 900),
    # Failed appointment check-ins per kiosk device: a hall's kiosk sees a few typos an hour;
    # thirty misses in ten minutes is somebody trying numbers.
    "kiosk_checkin": (30, 600),
    # Verification codes sent to one mobile: each is a real SMS to a real resident.
    "sms_phone": (5, 3600),
}


def limit(name: str) -> Limit:
    attempts, seconds = (
        getattr(settings, "BIANMIN", {}).get("RATE_LIMITS", {}).get(name, DEFAULTS[name])
    )
    return Limit(name, int(attempts), int(seconds))


def _key(rule: Limit, value: str) -> str:
    # Keyed hash: a phone number or an IP address never appears in a cache key.
    return f"rl:{rule.name}:{crypto.lookup_hash(value)[:32]}"


def blocked(name: str, value: str | None) -> bool:
    """True when `value` has used up its attempts in the current window."""
    if not value:
        return False
    rule = limit(name)
    return int(cache.get(_key(rule, value), 0)) >= rule.attempts


def count(name: str, value: str | None) -> None:
    """Count one attempt for `value`."""
    if not value:
        return
    rule = limit(name)
    key = _key(rule, value)
    if not cache.add(key, 1, rule.seconds):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr: start a new window
            cache.add(key, 1, rule.seconds)


def reset(name: str, value: str | None) -> None:
    if value:
        cache.delete(_key(limit(name), value))
