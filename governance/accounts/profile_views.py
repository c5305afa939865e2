"""My account: what the roll says about the signed-in member, and the language they choose.

The roll's facts (name, e-mail, membership number, unit) are read-only here: staff keep
them. The language is the member's own choice, stored through
`services.set_own_language`; `accounts.middleware.MemberLanguageMiddleware` applies it to
every request of their session, and the ballots' e-mails are written in it.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import i18n
from django.views.decorators.http import require_http_methods

from governance import services
from governance.accounts.middleware import set_language_cookie
from governance.models import Member
from governance.web import refused


def language_choices() -> list[tuple[str, str]]:
    """Each language in its own name (a reader of Arabic finds « العربية » in any page)."""
    return [
        (code, capfirst(translation.get_language_info(code)["name_local"]))
        for code, _name in settings.LANGUAGES
    ]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the platform"),
        choices=language_choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "The pages after each login, on any device, and the e-mails the platform sends you."
        ),
    )


def _roll_entry(user) -> Member | None:
    """The account's entry on the roll with its unit and the unit's parent (one query)."""
    return Member.objects.select_related("unit", "unit__parent").filter(user_id=user.pk).first()


@login_required
@require_http_methods(["GET", "POST"])
def account_profile(request):
    member = _roll_entry(request.user)
    current = (member.language if member else "") or translation.get_language()
    form = LanguageForm(
        request.POST if request.method == "POST" else None, initial={"language": current}
    )
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        with refused(form=form) as refusal:
            member = services.set_own_language(actor=request.user, language=language)
        if not refusal:
            request.user.member = member  # the session's copy, for the language middleware
            translation.activate(language)  # the message in the language chosen
            messages.success(request, _("Your language is saved."))
            response = redirect("account_profile")
            set_language_cookie(response, language)
            return response
    status = 400 if request.method == "POST" else 200
    return render(request, "account/profile.html", {"member": member, "form": form}, status=status)


def set_language(request):
    """Django's language switch (`django.views.i18n.set_language`, the header's form); for a
    signed-in member the choice is also stored as their language (`set_own_language`), so
    the switch and My account never disagree."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if (
        language in dict(settings.LANGUAGES)
        and response.status_code == 302
        and services.own_member(request.user) is not None
    ):
        request.user.member = services.set_own_language(actor=request.user, language=language)
    return response
