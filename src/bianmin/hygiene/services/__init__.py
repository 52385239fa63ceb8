"""Every write of the hygiene app (docs/hygiene.md)."""

from bianmin.hygiene.services.inspections import (
    correct_provisional_deadlines,
    record_inspection,
)
from bianmin.hygiene.services.places import register_place
from bianmin.hygiene.services.plans import generate_plan, plan_place

__all__ = [
    "correct_provisional_deadlines",
    "generate_plan",
    "plan_place",
    "record_inspection",
    "register_place",
]
