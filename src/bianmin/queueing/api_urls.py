"""/api/v1/queue/ — see `queueing/api.py`."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from bianmin.queueing.api import (
    AppointmentViewSet,
    HallViewSet,
    SlotViewSet,
    TicketViewSet,
    WindowViewSet,
)

router = SimpleRouter()
router.register("halls", HallViewSet, basename="queue-hall")
router.register("windows", WindowViewSet, basename="queue-window")
router.register("tickets", TicketViewSet, basename="queue-ticket")
router.register("slots", SlotViewSet, basename="queue-slot")
router.register("appointments", AppointmentViewSet, basename="queue-appointment")

app_name = "queue-api"
urlpatterns = router.urls
