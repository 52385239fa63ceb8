"""Every write of the sharing app. `fetch` is the one gate to a person's shared data."""

from bianmin.sharing.services.access import AccessDenied, fetch, fetch_certificate
from bianmin.sharing.services.consent import grant_consent, withdraw_consent
from bianmin.sharing.services.grants import approve, refuse, request_access, revoke
from bianmin.sharing.services.materials import (
    Fetched,
    fetch_materials,
    fetched_of,
    record_fetched,
)

__all__ = [
    "AccessDenied",
    "Fetched",
    "approve",
    "fetch",
    "fetch_certificate",
    "fetch_materials",
    "fetched_of",
    "grant_consent",
    "record_fetched",
    "refuse",
    "request_access",
    "revoke",
    "withdraw_consent",
]
