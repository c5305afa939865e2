"""The proof asked before a second factor is enrolled or replaced (governance/accounts/enrolment.py)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.accounts import enrolment
from governance.exceptions import DomainError
from governance.web import refused


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code from the e-mail"), max_length=20)


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/accounts/2fa/totp/activate/"


@login_required
def enrolment_proof(request):
    """Send a code to the verified e-mail (action=send), or check the code typed (action=check)."""
    form = CodeForm(request.POST if request.POST.get("action") == "check" else None)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "send":
                email = enrolment.send_code(request)
                messages.info(request, _("A code is on its way to %(email)s.") % {"email": email})
                return redirect(f"{request.path}?next={_next(request)}")
            if form.is_valid():
                enrolment.check_code(request, form.cleaned_data["code"])
                return redirect(_next(request))
            status = 400
        except DomainError as error:
            form.add_error("code" if error.field == "code" else None, error.message)
            status = 400
    return render(
        request,
        "governance/mfa_enrolment_proof.html",
        {"form": form, "next": _next(request), "email": enrolment.verified_email(request.user)},
        status=status,
    )


@login_required
def enrolment_link(request, token: str):
    with refused(request=request) as refusal:
        enrolment.accept_link(request, token)
    if refusal:
        return redirect("mfa_enrolment_proof")
    return redirect("mfa_activate_totp")
