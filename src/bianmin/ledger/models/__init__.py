from bianmin.ledger.models.reports import (
    FROZEN_STATES,
    ManualCell,
    Report,
    ReportAction,
    ReportEvent,
    ReportStatus,
)
from bianmin.ledger.models.templates import (
    ColumnSource,
    Frequency,
    ReportTemplate,
    RowKind,
    ValueType,
)

__all__ = [
    "FROZEN_STATES",
    "ColumnSource",
    "Frequency",
    "ManualCell",
    "Report",
    "ReportAction",
    "ReportEvent",
    "ReportStatus",
    "ReportTemplate",
    "RowKind",
    "ValueType",
]
