"""Forms of the hygiene pages: they collect input; the services decide what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bianmin.hygiene.models import Grade, PlaceType, SheetItem


class PlaceFilterForm(forms.Form):
    q = forms.CharField(label=_("名称、经营单位或许可证号"), required=False)
    place_type = forms.ChoiceField(
        label=_("场所类别"), required=False, choices=[("", _("全部")), *PlaceType.choices]
    )
    grade = forms.ChoiceField(
        label=_("等级"), required=False, choices=[("", _("全部")), *Grade.choices]
    )

    def value(self, name: str) -> str:
        return self.cleaned_data.get(name, "") if self.is_valid() else ""


class PlaceForm(forms.Form):
    name = forms.CharField(label=_("场所名称"), max_length=120)
    place_type = forms.ChoiceField(label=_("场所类别"), choices=PlaceType.choices)
    area_code = forms.CharField(label=_("所在社区（村）区划代码"), max_length=12)
    address = forms.CharField(label=_("地址"), max_length=200)
    credit_code = forms.CharField(
        label=_("经营单位统一社会信用代码"),
        max_length=18,
        required=False,
        help_text=_("法人库中已有的单位，填写后自动带出名称"),
    )
    operator_name = forms.CharField(label=_("经营单位名称"), max_length=200, required=False)
    licence_no = forms.CharField(label=_("卫生许可证号"), max_length=40, required=False)


class InspectionForm(forms.Form):
    """One field per item of the place's sheet, plus a pass/fail box for each ※ item."""

    inspected_on = forms.DateField(
        label=_("检查日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    inspectors = forms.CharField(label=_("卫生监督员"), max_length=120)
    notes = forms.CharField(label=_("检查意见"), required=False, widget=forms.Textarea)

    def __init__(self, *args, items: list[SheetItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.CharField(
                label=f"{item.seq}. {'※' if item.key else ''}{item.content}",
                help_text=_("0至%(max)s分") % {"max": item.max_points},
                required=False,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "size": 5, "style": "width:6rem"}
                ),
            )
            if item.key:
                self.fields[f"fail_{item.pk}"] = forms.BooleanField(
                    label=_("关键项目不合格"), required=False
                )

    def rows(self):
        for item in self.items:
            yield item, self[f"item_{item.pk}"], self[f"fail_{item.pk}"] if item.key else None

    def scores(self) -> dict[str, str]:
        return {str(i.pk): self.data.get(f"item_{i.pk}", "") for i in self.items}

    def key_failed(self) -> list[int]:
        return [i.pk for i in self.items if i.key and self.data.get(f"fail_{i.pk}")]
