"""Every state change of queueing (排队叫号, 预约): views, API, CLI and the demo call these."""

from bianmin.queueing.services.access import (
    access_appointment,
    access_hall,
    access_ticket,
    access_window,
)
from bianmin.queueing.services.appointments import (
    DEFAULT_TEMPLATE,
    SlotTemplate,
    book_appointment,
    cancel_appointment,
    check_in,
    check_in_by_id,
    create_slot,
    expire_appointments,
    generate_slots,
)
from bianmin.queueing.services.common import ensure_hall_in_scope, error
from bianmin.queueing.services.halls import (
    close_window,
    create_category,
    create_hall,
    create_window,
    open_window,
    set_category_accepting,
)
from bianmin.queueing.services.tickets import (
    call_next,
    finish,
    issue_ticket,
    link_case,
    mark_no_show,
    queue_order,
    recall,
    start_serving,
    take_ticket,
    transfer,
)

__all__ = [
    "DEFAULT_TEMPLATE",
    "SlotTemplate",
    "access_appointment",
    "access_hall",
    "access_ticket",
    "access_window",
    "book_appointment",
    "call_next",
    "cancel_appointment",
    "check_in",
    "check_in_by_id",
    "close_window",
    "create_category",
    "create_hall",
    "create_slot",
    "create_window",
    "ensure_hall_in_scope",
    "error",
    "expire_appointments",
    "finish",
    "generate_slots",
    "issue_ticket",
    "link_case",
    "mark_no_show",
    "open_window",
    "queue_order",
    "recall",
    "set_category_accepting",
    "start_serving",
    "take_ticket",
    "transfer",
]
