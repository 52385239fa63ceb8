from bianmin.queueing.models.appointments import (
    ACTIVE_APPOINTMENT,
    Appointment,
    AppointmentSlot,
    AppointmentStatus,
)
from bianmin.queueing.models.halls import Hall, Window, WindowCategory
from bianmin.queueing.models.tickets import (
    ACTIVE_STATUSES,
    FINAL_STATUSES,
    Ticket,
    TicketCounter,
    TicketSource,
    TicketStatus,
)

__all__ = [
    "ACTIVE_APPOINTMENT",
    "ACTIVE_STATUSES",
    "FINAL_STATUSES",
    "Appointment",
    "AppointmentSlot",
    "AppointmentStatus",
    "Hall",
    "Ticket",
    "TicketCounter",
    "TicketSource",
    "TicketStatus",
    "Window",
    "WindowCategory",
]
