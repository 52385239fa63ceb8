"""Every write of the ledger: template design and the report workflow."""

from bianmin.ledger.services.reports import (
    approve,
    fill_cells,
    may_review,
    open_report,
    return_report,
    submit,
    update_signatures,
)
from bianmin.ledger.services.templates import save_template, set_template_active

__all__ = [
    "approve",
    "fill_cells",
    "may_review",
    "open_report",
    "return_report",
    "save_template",
    "set_template_active",
    "submit",
    "update_signatures",
]
