"""/api/v1/queue/ — 排队叫号 and 预约 for window systems, kiosks run by staff accounts, and the
portal. Each action is one service call; lists are cut to the caller's area."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from bianmin.core.api import ScopedGenericViewSet, error_responses
from bianmin.queueing import clock, queries
from bianmin.queueing import services as svc
from bianmin.queueing.api_serializers import (
    AppointmentFilterSerializer,
    AppointmentSerializer,
    BookSerializer,
    HallSerializer,
    HallStatsSerializer,
    LinkCaseSerializer,
    SlotFilterSerializer,
    SlotSerializer,
    StatsQuerySerializer,
    TakeTicketSerializer,
    TicketFilterSerializer,
    TicketSerializer,
    TransferSerializer,
    WindowSerializer,
)
from bianmin.queueing.models import (
    Appointment,
    AppointmentSlot,
    Hall,
    Ticket,
    TicketSource,
    Window,
    WindowCategory,
)

MAX_STATS_DAYS = 92
_TICKET = {200: TicketSerializer, **error_responses(400, 403, 404)}


def _valid(serializer_class, data) -> dict:
    form = serializer_class(data=data)
    form.is_valid(raise_exception=True)
    return form.validated_data


def category_for(request, pk: int, field: str = "category") -> WindowCategory:
    category = WindowCategory.objects.select_related("hall").filter(pk=pk).first()
    if category is None:
        raise svc.error("unknown_category", field)
    svc.ensure_hall_in_scope(category.hall)
    return category


@extend_schema(tags=["queue"])
class HallViewSet(ScopedGenericViewSet):
    queryset = Hall.objects.none()
    lookup_value_regex = r"\d+"
    serializer_class = HallSerializer

    @extend_schema(
        summary="办事大厅列表（本人管辖范围）", responses={200: HallSerializer(many=True)}
    )
    def list(self, request):
        halls = request.scope.restrict(Hall.objects.select_related("org_unit"), "area_code")
        page = self.paginate_queryset(halls.order_by("org_unit_id", "pk"))
        return self.get_paginated_response(HallSerializer(page, many=True).data)

    @extend_schema(
        summary="等候与办理时长统计：当前排队、预计等候，以及按日、按类别的取号、办结、过号、"
        "平均与 P90 等候时长、平均办理时长",
        parameters=[StatsQuerySerializer],
        responses={200: HallStatsSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    def stats(self, request, pk: str):
        hall = svc.access_hall(actor=request.actor, hall_id=int(pk))
        params = _valid(StatsQuerySerializer, request.query_params)
        start = params.get("start") or clock.today()
        end = params.get("end") or start
        if end < start:
            raise svc.error("bad_range", "end")
        if (end - start).days >= MAX_STATS_DAYS:
            raise svc.error("range_too_long", "end", days=MAX_STATS_DAYS)
        data = {
            "hall": hall,
            "start": start,
            "end": end,
            "live": queries.hall_live(hall=hall),
            "days": queries.hall_stats(hall=hall, start=start, end=end),
        }
        return Response(HallStatsSerializer(data).data)


@extend_schema(tags=["queue"])
class WindowViewSet(ScopedGenericViewSet):
    queryset = Window.objects.none()
    lookup_value_regex = r"\d+"
    serializer_class = WindowSerializer

    @extend_schema(summary="窗口列表", responses={200: WindowSerializer(many=True)})
    def list(self, request):
        windows = request.scope.restrict(
            Window.objects.prefetch_related("categories"), "hall__area_code"
        )
        page = self.paginate_queryset(windows.order_by("hall_id", "number"))
        return self.get_paginated_response(WindowSerializer(page, many=True).data)

    @extend_schema(
        summary="呼叫下一位（本窗口办理类别中最早的等候号；预约号在其时段内优先）",
        request=None,
        responses=_TICKET,
    )
    @action(detail=True, methods=["post"], url_path="call-next")
    def call_next(self, request, pk: str):
        window = svc.access_window(actor=request.actor, window_id=int(pk))
        ticket = svc.call_next(actor=request.actor, window=window)
        return Response(TicketSerializer(ticket).data)

    @extend_schema(
        summary="开窗（签到上岗）",
        request=None,
        responses={200: WindowSerializer, **error_responses(403, 404)},
    )
    @action(detail=True, methods=["post"])
    def open(self, request, pk: str):
        window = svc.access_window(actor=request.actor, window_id=int(pk))
        return Response(WindowSerializer(svc.open_window(actor=request.actor, window=window)).data)

    @extend_schema(
        summary="暂停服务",
        request=None,
        responses={200: WindowSerializer, **error_responses(403, 404)},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk: str):
        window = svc.access_window(actor=request.actor, window_id=int(pk))
        return Response(WindowSerializer(svc.close_window(actor=request.actor, window=window)).data)


def _ticket_list():
    return Ticket.objects.select_related("category", "window", "appointment", "case")


@extend_schema(tags=["queue"])
class TicketViewSet(ScopedGenericViewSet):
    queryset = Ticket.unscoped.none()
    lookup_value_regex = r"\d+"
    serializer_class = TicketSerializer

    @extend_schema(
        summary="排队号列表（默认今天）",
        parameters=[TicketFilterSerializer],
        responses={200: TicketSerializer(many=True), **error_responses(400)},
    )
    def list(self, request):
        f = _valid(TicketFilterSerializer, request.query_params)
        tickets = _ticket_list().filter(day=f.get("day") or clock.today())
        if f.get("hall"):
            tickets = tickets.filter(hall_id=f["hall"])
        if f.get("status"):
            tickets = tickets.filter(status=f["status"])
        page = self.paginate_queryset(tickets.order_by("issued_at", "pk"))
        return self.get_paginated_response(TicketSerializer(page, many=True).data)

    @extend_schema(
        summary="取号（窗口代取；可带申请人身份证号）",
        request=TakeTicketSerializer,
        responses={201: TicketSerializer, **error_responses(400, 403)},
    )
    def create(self, request):
        f = _valid(TakeTicketSerializer, request.data)
        category = category_for(request, f["category"])
        ticket = svc.take_ticket(
            actor=request.actor,
            category=category,
            id_number=f.get("id_number", ""),
            source=TicketSource.STAFF,
        )
        return Response(TicketSerializer(ticket).data, status=201)

    @extend_schema(summary="排队号详情", responses=_TICKET)
    def retrieve(self, request, pk: str):
        return Response(TicketSerializer(self._ticket(request, pk)).data)

    def _ticket(self, request, pk: str) -> Ticket:
        return svc.access_ticket(actor=request.actor, ticket_id=int(pk))

    def _do(self, request, pk: str, service, **kwargs) -> Response:
        ticket = service(actor=request.actor, ticket=self._ticket(request, pk), **kwargs)
        return Response(TicketSerializer(ticket).data)

    @extend_schema(summary="再次呼叫", request=None, responses=_TICKET)
    @action(detail=True, methods=["post"])
    def recall(self, request, pk: str):
        return self._do(request, pk, svc.recall)

    @extend_schema(summary="开始办理", request=None, responses=_TICKET)
    @action(detail=True, methods=["post"])
    def start(self, request, pk: str):
        return self._do(request, pk, svc.start_serving)

    @extend_schema(summary="办结", request=None, responses=_TICKET)
    @action(detail=True, methods=["post"])
    def finish(self, request, pk: str):
        return self._do(request, pk, svc.finish)

    @extend_schema(summary="记为过号（须已呼叫满大厅规定次数）", request=None, responses=_TICKET)
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request, pk: str):
        return self._do(request, pk, svc.mark_no_show)

    @extend_schema(
        summary="转移到本大厅另一业务类别（保留排队时间；返回新号）",
        request=TransferSerializer,
        responses=_TICKET,
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk: str):
        f = _valid(TransferSerializer, request.data)
        category = category_for(request, f["category"])
        return self._do(request, pk, svc.transfer, category=category)

    @extend_schema(summary="关联受理的办件编号", request=LinkCaseSerializer, responses=_TICKET)
    @action(detail=True, methods=["post"], url_path="link-case")
    def link_case(self, request, pk: str):
        f = _valid(LinkCaseSerializer, request.data)
        return self._do(request, pk, svc.link_case, case_no=f["case_no"])


@extend_schema(tags=["queue"])
class SlotViewSet(ScopedGenericViewSet):
    queryset = AppointmentSlot.objects.none()
    lookup_value_regex = r"\d+"
    serializer_class = SlotSerializer

    @extend_schema(
        summary="可预约时段（某大厅，某日起七天）",
        parameters=[SlotFilterSerializer],
        responses={200: SlotSerializer(many=True), **error_responses(400, 403, 404)},
    )
    def list(self, request):
        f = _valid(SlotFilterSerializer, request.query_params)
        hall = svc.access_hall(actor=request.actor, hall_id=f["hall"])
        start = f.get("date") or clock.today()
        slots = AppointmentSlot.objects.select_related("category").filter(
            hall=hall, date__range=(start, start + dt.timedelta(days=6))
        )
        if f.get("category"):
            slots = slots.filter(category_id=f["category"])
        page = self.paginate_queryset(slots.order_by("date", "start", "category__code"))
        return self.get_paginated_response(SlotSerializer(page, many=True).data)


@extend_schema(tags=["queue"])
class AppointmentViewSet(ScopedGenericViewSet):
    queryset = Appointment.unscoped.none()
    lookup_value_regex = r"\d+"
    serializer_class = AppointmentSerializer

    def get_queryset(self):
        return Appointment.objects.select_related("slot__category").order_by(
            "date", "slot__start", "pk"
        )

    @extend_schema(
        summary="预约列表（本人管辖范围）",
        parameters=[AppointmentFilterSerializer],
        responses={200: AppointmentSerializer(many=True), **error_responses(400)},
    )
    def list(self, request):
        f = _valid(AppointmentFilterSerializer, request.query_params)
        appointments = self.get_queryset()
        for key, lookup in (("hall", "hall_id"), ("date", "date"), ("status", "status")):
            if f.get(key):
                appointments = appointments.filter(**{lookup: f[key]})
        page = self.paginate_queryset(appointments)
        return self.get_paginated_response(AppointmentSerializer(page, many=True).data)

    @extend_schema(
        summary="预约（身份证号在请求体中；每人每天限一个有效预约）",
        request=BookSerializer,
        responses={201: AppointmentSerializer, **error_responses(400, 403)},
    )
    def create(self, request):
        f = _valid(BookSerializer, request.data)
        slot = (
            AppointmentSlot.objects.select_related("hall", "category__hall")
            .filter(pk=f.pop("slot"))
            .first()
        )
        if slot is None:
            raise svc.error("unknown_slot", "slot")
        appointment = svc.book_appointment(actor=request.actor, slot=slot, **f)
        return Response(AppointmentSerializer(appointment).data, status=201)

    @extend_schema(
        summary="取消预约",
        request=None,
        responses={200: AppointmentSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk: str):
        appointment = svc.access_appointment(actor=request.actor, appointment_id=int(pk))
        appointment = svc.cancel_appointment(actor=request.actor, appointment=appointment)
        return Response(AppointmentSerializer(appointment).data)

    @extend_schema(
        summary="到厅签到（生成预约优先号）",
        request=None,
        responses={201: TicketSerializer, **error_responses(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk: str):
        appointment = svc.access_appointment(actor=request.actor, appointment_id=int(pk))
        ticket = svc.check_in(actor=request.actor, appointment=appointment)
        return Response(TicketSerializer(ticket).data, status=201)
