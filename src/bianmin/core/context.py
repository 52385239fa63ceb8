from __future__ import annotations


def staff_context(request) -> dict:
    user = getattr(request, "user", None)
    staff = getattr(user, "staff", None) if user is not None and user.is_authenticated else None
    return {"staff": staff}
