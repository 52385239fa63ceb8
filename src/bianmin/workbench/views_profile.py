"""A person's profile and what a clerk does from it: reveal the ID number (with a purpose),
record a death or move-out, add or remove tags, edit contact and residence.

Every request fetches the person through `access_person`, so each display is audited and a
person outside the user's area answers 403 (OutOfScope) before any data is read.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from bianmin.core.errors import OutOfScope
from bianmin.core.models import AuditEntry
from bianmin.registry.models import Person, PersonTag
from bianmin.registry.queries import corrected_death, derived_tags_for, visible_tags
from bianmin.registry.services.people import (
    access_person,
    reveal_id_number,
    set_life_status,
    tag_person,
    untag_person,
    update_person,
)
from bianmin.workbench.common import apply_errors, staff_required
from bianmin.workbench.forms import LifeStatusForm, PersonEditForm, RevealForm, TagForm
from bianmin.workbench.views_people import code_lists

RECENT_ACCESS = 8


def get_person(request: HttpRequest, pk: int, purpose: str = "") -> Person:
    try:
        return access_person(actor=request.actor, person_id=pk, purpose=purpose)
    except Person.DoesNotExist:
        raise Http404(_("人口库中没有该人员。")) from None


def render_profile(request: HttpRequest, person: Person, **extra) -> HttpResponse:
    tags = list(visible_tags())
    stored_ids = [t.pk for t in tags if not t.derived]
    links = list(
        PersonTag.objects.filter(person=person, tag_id__in=stored_ids).select_related("tag")
    )
    members = []
    if person.household_id:
        # Scoped like everything else: a member registered outside my area is not listed.
        members = list(
            person.household.members.select_related("grid").order_by("relationship", "birth_date")
        )
    context = {
        "person": person,
        "derived_tags": derived_tags_for(person, tags),
        "tag_links": links,
        "members": members,
        "organisations": list(person.represented_organisations.all()[:20]),
        "corrected_death": corrected_death(person),
        "access_log": list(
            AuditEntry.objects.filter(object_type="person", object_id=str(person.pk)).only(
                "at", "actor_name", "action", "purpose"
            )[:RECENT_ACCESS]
        ),
        "reveal_form": extra.pop("reveal_form", None) or RevealForm(),
        "status_form": extra.pop("status_form", None) or LifeStatusForm(),
        "tag_form": extra.pop("tag_form", None) or TagForm(tags=tags),
        **extra,
    }
    return render(request, "workbench/people/profile.html", context)


@never_cache
@staff_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_profile(request, get_person(request, pk))


@never_cache
@require_POST
@staff_required
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the whole number once, in this response only; never stored in the page state."""
    form = RevealForm(request.POST)
    purpose = form.data.get("purpose", "")
    person = get_person(request, pk, purpose=purpose)
    revealed = None
    if form.is_valid():
        try:
            revealed = reveal_id_number(actor=request.actor, person=person, purpose=purpose)
        except ValidationError as e:
            apply_errors(form, e)
    if request.htmx:
        context = {"person": person, "reveal_form": form, "revealed": revealed}
        return render(request, "workbench/people/partials/id_number.html", context)
    return render_profile(request, person, reveal_form=form, revealed=revealed)


@require_POST
@staff_required
def person_status(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person(request, pk)
    form = LifeStatusForm(request.POST)
    if form.is_valid():
        try:
            set_life_status(actor=request.actor, person=person, **form.cleaned_data)
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("人员状态已更新。"))
            return redirect("workbench:person", pk=pk)
    return render_profile(request, person, status_form=form, open_panel="status")


@require_POST
@staff_required
def person_tag_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person(request, pk)
    form = TagForm(request.POST, tags=list(visible_tags()))
    if form.is_valid():
        try:
            tag_person(
                actor=request.actor,
                person=person,
                tag_code=form.cleaned_data["tag"],
                since=form.cleaned_data["since"],
                source=form.cleaned_data["source"],
            )
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, _("已添加标签。"))
            return redirect("workbench:person", pk=pk)
    return render_profile(request, person, tag_form=form, open_panel="tag")


@require_POST
@staff_required
def person_tag_remove(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    person = get_person(request, pk)
    # Only a tag the user can see can be removed by them.
    if not visible_tags().filter(pk=code, derived=False).exists():
        raise Http404(_("没有该标签。"))
    untag_person(actor=request.actor, person=person, tag_code=code)
    messages.success(request, _("已移除标签。"))
    return redirect("workbench:person", pk=pk)


@never_cache
@staff_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person(request, pk)
    initial = PersonEditForm.initial_for(person)
    form = PersonEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = form.changes(person)
        for key in ("grid", "residence_division"):
            if key in changes:
                changes[key] = changes[key] or None
        try:
            if changes:
                update_person(actor=request.actor, person=person, **changes)
        except ValidationError as e:
            apply_errors(form, e)
        except OutOfScope as e:
            form.add_error(None, str(e))
        else:
            if changes:
                messages.success(request, _("已保存修改。"))
            return redirect("workbench:person", pk=pk)
    context = {"person": person, "form": form, **code_lists(request)}
    return render(request, "workbench/people/edit.html", context)
