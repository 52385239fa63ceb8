"""Every write of the programs engine. See docs/programs.md."""

from bianmin.programs.services.definition import define_program
from bianmin.programs.services.enrolment import (
    active_enrolment,
    auto_enrol_sweep,
    enrol,
    exit_enrolment,
)
from bianmin.programs.services.visits import recompute_next_due, record_visit

__all__ = [
    "active_enrolment",
    "auto_enrol_sweep",
    "define_program",
    "enrol",
    "exit_enrolment",
    "recompute_next_due",
    "record_visit",
]
