"""The officers' page for translating names (units, bodies, articles, assemblies) per language."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from governance import services
from governance.models import Article, Assembly, Body, OrganisationUnit
from governance.permissions import bodies_acted_for, may_act_for_body, roles_for
from governance.web import refused

KINDS = {"unit": OrganisationUnit, "body": Body, "article": Article, "assembly": Assembly}
FIELD_LABELS = {
    "name": gettext_lazy("Name"),
    "title": gettext_lazy("Title"),
    "agenda": gettext_lazy("Agenda"),
}


def may_translate(user, obj) -> bool:
    """Asked by the pages that link here: the service checks again when writing."""
    roles = roles_for(user)
    if roles.staff:
        return roles.may_write  # staff act for every body, and translate what no body owns
    body = services.translating_body(obj)
    return body is not None and may_act_for_body(user, body)


def units_translatable_by(user) -> set[int] | None:
    """The units whose names ``user`` may translate, for a page listing many (one query):
    ``None`` means every unit. The same answer as `may_translate` for each unit: staff, or an
    officer `may_act_for_body` admits for the unit's board (its `translating_body`)."""
    roles = roles_for(user)
    if roles.staff:
        return None if roles.may_write else set()
    boards = bodies_acted_for(user).filter(kind=Body.Kind.BOARD)
    return set(boards.values_list("unit_id", flat=True))


class TranslationForm(forms.Form):
    """The translatable fields of one object in one language; the original as help text."""

    def __init__(self, *args, obj, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        for name in obj.translatable_fields:
            limit = services.TRANSLATION_MAX_LENGTH.get(name, 200)
            widget = (
                forms.Textarea(attrs={"rows": 6, "dir": "auto"})
                if name == "agenda"
                else (forms.TextInput(attrs={"dir": "auto"}))
            )
            self.fields[name] = forms.CharField(
                label=FIELD_LABELS.get(name, name),
                required=False,
                max_length=limit,
                widget=widget,
                initial=obj.translation_of(name, language),
                help_text=_("Original: %(original)s") % {"original": getattr(obj, name) or "—"},
            )


def _back_url(obj) -> str:
    if isinstance(obj, Body):
        return reverse("body_detail", args=[obj.code])
    if isinstance(obj, Article):
        return reverse("article_detail", args=[obj.version.number, obj.number])
    if isinstance(obj, Assembly):
        return reverse("assembly_detail", args=[obj.pk])
    return reverse("organisation")


@login_required
@require_http_methods(["GET", "POST"])
def translate_names(request, kind: str, pk: int):
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    queryset = model.objects.all()
    if model is Article:
        queryset = queryset.select_related("version")
    if model is Assembly:
        queryset = queryset.select_related("body")
    obj = get_object_or_404(queryset, pk=pk)
    if not may_translate(request.user, obj):
        raise PermissionDenied(_("Only the officers of this body may translate its names."))
    languages = settings.LANGUAGES
    language = request.POST.get("language") or request.GET.get("language") or "fr"
    if language not in dict(languages):
        raise Http404
    form = TranslationForm(
        request.POST if request.method == "POST" else None, obj=obj, language=language
    )
    if request.method == "POST" and form.is_valid():
        with refused(form=form) as refusal:
            services.translate_names(
                actor=request.user, obj=obj, language=language, values=form.cleaned_data
            )
        if not refusal:
            messages.success(request, _("The translation is saved."))
            return redirect(f"{request.path}?language={language}")
    return render(
        request,
        "governance/translate_names.html",
        {
            "obj": obj,
            "form": form,
            "language": language,
            "languages": languages,
            "back_url": _back_url(obj),
        },
    )
