from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bianmin.sharing.models import AccessOutcome, SharedDataItem


class RequestForm(forms.Form):
    item = forms.ChoiceField(label=_("数据项"))
    purpose = forms.CharField(label=_("用途"), max_length=200)
    scope_prefix = forms.CharField(
        label=_("使用范围（区划代码前缀）"), max_length=14, initial="4201"
    )
    requested_until = forms.DateField(
        label=_("有效期至"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [
            (i.code, f"{i.name}（{i.owner.short_name}）")
            for i in SharedDataItem.objects.select_related("owner")
        ]


class DecisionForm(forms.Form):
    reason = forms.CharField(label=_("审批意见"), max_length=200, required=False)


class LogFilterForm(forms.Form):
    item = forms.ChoiceField(label=_("数据项"), required=False)
    outcome = forms.ChoiceField(
        label=_("结果"), required=False, choices=[("", _("全部")), *AccessOutcome.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [
            ("", _("全部")),
            *list(SharedDataItem.objects.values_list("code", "name")),
        ]
