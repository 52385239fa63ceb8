"""Forms of the portal. Rules live in the services; these only shape input."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bianmin.catalog.models import Material, MaterialRequirement
from bianmin.evaluation.models import RatingLevel

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def _tel(placeholder="") -> forms.TextInput:
    return forms.TextInput(
        attrs={
            "inputmode": "numeric",
            "autocomplete": "tel",
            "placeholder": placeholder,
            "maxlength": 14,
        }
    )


class SignInForm(forms.Form):
    phone = forms.CharField(label=_("手机号码"), max_length=14, widget=_tel(_("11位手机号码")))
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(forms.Form):
    current = forms.CharField(
        label=_("当前密码"),
        strip=False,
        help_text=_("重置后为短信收到的临时密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new = forms.CharField(
        label=_("新密码"),
        strip=False,
        help_text=_("至少8位，不能过于简单"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new2 = forms.CharField(
        label=_("确认新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new") and data.get("new") != data.get("new2"):
            self.add_error("new2", _("两次输入的密码不一致。"))
        return data


class RegisterForm(forms.Form):
    name = forms.CharField(
        label=_("姓名"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    id_number = forms.CharField(
        label=_("身份证号码"),
        max_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("手机号码"),
        max_length=14,
        help_text=_("须为户籍登记时留存的手机号码"),
        widget=_tel(),
    )
    password = forms.CharField(
        label=_("设置密码"),
        strip=False,
        help_text=_("至少8位，不能过于简单"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    consent = forms.BooleanField(
        label=_("我同意以身份证号码、姓名和手机号码与人口库登记信息进行实名核验"), required=True
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )


def material_field(m: Material) -> str:
    return f"m_{m.code}"


def applies_field(m: Material) -> str:
    return f"applies_{m.code}"


class UploadsForm(forms.Form):
    """One optional file field per material the applicant hands in (shared ones are fetched,
    never asked for — unless sharing cannot supply them: `ask`, their codes); conditional
    ones get a box to say the condition applies. Which files are required is decided by the
    service, which lists every missing one at once."""

    def __init__(
        self,
        *args,
        materials: list[Material],
        conditions: bool = True,
        ask: frozenset[str] = frozenset(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.materials = [m for m in materials if not m.shared_source or m.code in ask]
        for m in self.materials:
            self.fields[material_field(m)] = forms.FileField(
                label=m.name,
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
            )
            if conditions and m.requirement == MaterialRequirement.CONDITIONAL:
                self.fields[applies_field(m)] = forms.BooleanField(
                    label=_("我属于“%(c)s”情形") % {"c": m.condition}, required=False
                )

    def files_by_code(self) -> dict:
        return {
            m.code: self.cleaned_data[material_field(m)]
            for m in self.materials
            if self.cleaned_data.get(material_field(m))
        }

    def applicable(self) -> list[str]:
        return [m.code for m in self.materials if self.cleaned_data.get(applies_field(m))]


class ApplyForm(UploadsForm):
    applicant = forms.ChoiceField(label=_("申请主体"), widget=forms.RadioSelect)
    # Issued with the page: submitting the same page twice is one application.
    token = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, applicants: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].choices = applicants
        self.fields["applicant"].initial = applicants[0][0] if applicants else None
        self.order_fields(["applicant"])


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("总体评价"),
        choices=RatingLevel.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("评价意见"),
        required=False,
        max_length=500,
        help_text=_("选择“不满意”或“非常不满意”时请写明原因，以便核实整改。"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class FeedbackForm(forms.Form):
    satisfied = forms.TypedChoiceField(
        label=_("您对答复是否满意？"),
        choices=[("1", _("满意")), ("0", _("不满意"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("补充说明"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ComplaintForm(forms.Form):
    case_no = forms.ChoiceField(label=_("投诉的办件"), required=False)
    content = forms.CharField(
        label=_("投诉内容"),
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请写明时间、地点、经过和您的诉求。"),
    )

    def __init__(self, *args, cases: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_no"].choices = [("", _("不针对具体办件")), *cases]
