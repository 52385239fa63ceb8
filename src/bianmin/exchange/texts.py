"""User-facing messages of the life-event services (registry/services/lifeevents.py) and of the
exchange. They live here, in the exchange app, so their English is in this app's catalogue."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "future_date": _("日期不能晚于今天。"),
    "before_birth": _("日期不能早于出生日期。"),
    "source_required": _("请填写信息来源。"),
    "death_date_conflict": _(
        "该人员已于%(day)s登记死亡（来源：%(source)s），与本次告知的日期不一致，请核实。"
    ),
    "person_deceased": _("该人员已登记死亡，不能办理此项变更。"),
    "person_moved_out": _("该人员已迁出，不能办理此项变更。"),
    "move_needs_place": _("请提供新的网格编码或现居住地址。"),
    "unknown_grid": _("网格编码“%(code)s”不存在。"),
    "bad_grid": _("网格编码应为14位数字。"),
    "not_a_member": _("该人员不是本户成员。"),
    "not_alive": _("新户主须为在世的本户成员。"),
    "no_vacancy": _("该户户主未空缺。"),
    "unknown_person": _("人口库中没有该身份证号码的记录。"),
    "invalid_id_number": _("身份证号码无效。"),
    "invalid_date": _("日期“%(value)s”无效，应为YYYY-MM-DD。"),
    "missing_field": _("缺少必填字段“%(field)s”。"),
    "field_too_long": _("字段“%(field)s”过长。"),
    "not_an_object": _("每条记录应为JSON对象。"),
    "record_id_reused": _("部门记录号“%(record_id)s”已用于内容不同的另一条记录。"),
    "kind_not_allowed": _("本客户端无权推送“%(kind)s”类数据。"),
    "handler_failed": _("联动处理失败（%(handler)s）：%(error)s"),
    "no_issuer": _("本部门在该人员所在区划没有发证机构，不能归集证照。"),
    "certificates_unavailable": _("电子证照服务尚未启用，暂不能接收证照信息。"),
    "bad_signature": _("签名校验失败。"),
    "unknown_client": _("客户端不存在或已停用。"),
    "missing_headers": _(
        "缺少认证头（X-Bianmin-Client、X-Bianmin-Timestamp、X-Bianmin-Nonce、X-Bianmin-Signature）。"
    ),
    "stale_timestamp": _("时间戳超出允许范围（±%(seconds)s秒）。"),
    "replayed_nonce": _("该随机数已使用过（重放请求）。"),
    "malformed_envelope": _("报文格式错误：%(detail)s"),
    "too_many_records": _("一批最多%(max)s条记录。"),
    "unknown_kind": _("未知的数据种类“%(kind)s”。"),
    "invalid_choice": _("取值无效。"),
    "reason_required": _("请填写理由。"),
    "dead_letter_closed": _("该记录已处理。"),
    "unknown_department": _("部门“%(department)s”不存在。"),
}


def error(code: str, *, field: str | None = None, **params) -> ValidationError:
    err = ValidationError(MESSAGES[code], code=code, params=params or None)
    return ValidationError({field: err}) if field else err
