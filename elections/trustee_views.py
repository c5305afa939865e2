"""The trustee's pages: what each trustee is asked now, the public files, the one upload.

Moved out of elections/views.py as they were; the urls are unchanged.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from elections import ballot_box
from elections.forms import TrusteesForm, TrusteeUploadForm
from elections.models import Trustee
from elections.views import _attachment, _console_ballot, ballot_reader, ballot_writer
from governance.web import refused

# ---------------------------------------------------------------------------
# Trustees: what each is asked now, the public files to download, the one upload
# ---------------------------------------------------------------------------

#: The tool's command for each step a trustee takes (the files are named as the page says).
TRUSTEE_COMMANDS = {
    ballot_box.TRANSPORT: "python -m elections.trustee init --index {index} --private me-{box}.json --public transport.json",
    ballot_box.DEALING: "python -m elections.trustee keygen --private me-{box}.json --ceremony ceremony.json --output dealing.json",
    ballot_box.SHARE_KEY: "python -m elections.trustee confirm --private me-{box}.json --ceremony ceremony.json --output share-key.json",
    ballot_box.DECRYPT: "python -m elections.trustee decrypt --private me-{box}.json --bundle bundle.json --output shares.json",
}


def _trusteeships(user):
    return (
        Trustee.objects.visible_to(user)
        .with_context()
        .prefetch_related("box__trustees")
        .order_by("-box__ballot__closes_at", "pk")
    )


def _trustee_rows(trustees, *, form_for=None, form=None) -> list[dict]:
    rows = []
    for trustee in trustees:
        task = ballot_box.trustee_task(trustee, list(trustee.box.trustees.all()))
        command = TRUSTEE_COMMANDS.get(task, "")
        rows.append(
            {
                "trustee": trustee,
                "ballot": trustee.box.ballot,
                "task": task,
                "uploads": task in ballot_box.UPLOADS,
                "command": command.format(index=trustee.index, box=trustee.box.ballot_id),
                "form": form if form_for == trustee.pk else TrusteeUploadForm(),
                "n": len(trustee.box.trustees.all()),
            }
        )
    return rows


@ballot_reader
@require_GET
def trustee_home(request):
    """A trustee's ballots and what each asks of them now, with the upload form."""
    rows = _trustee_rows(_trusteeships(request.user))
    return render(request, "elections/trustee_home.html", {"rows": rows})


def _trusteeship(request, pk: int) -> Trustee:
    return get_object_or_404(Trustee.objects.visible_to(request.user).with_context(), pk=pk)


@ballot_reader
@require_GET
def trustee_ceremony(request, pk: int):
    """The ceremony file for the tool's keygen and confirm: public keys and dealings only."""
    trustee = _trusteeship(request, pk)
    text = json.dumps(ballot_box.ceremony_state(trustee.box), sort_keys=True)
    response = _attachment(text, "application/json; charset=utf-8", "ceremony.json")
    add_never_cache_headers(response)
    return response


@ballot_reader
@require_GET
def trustee_bundle(request, pk: int):
    """After the close, the ballot's public bundle the tool's decrypt verifies and reads."""
    trustee = _trusteeship(request, pk)
    if trustee.box.tally is None:
        raise Http404(_("There is nothing to decrypt yet: the ballot is not closed."))
    text = json.dumps(ballot_box.export_bundle(trustee.box.ballot), sort_keys=True)
    response = _attachment(text, "application/json; charset=utf-8", "bundle.json")
    add_never_cache_headers(response)
    return response


@ballot_writer
@require_POST
def trustee_upload(request, pk: int):
    """The public file of the step asked now; a bad, foreign or altered one is a form error."""
    trustee = _trusteeship(request, pk)
    form = TrusteeUploadForm(request.POST, request.FILES)
    if form.is_valid():
        with refused(form=form) as refusal:
            step, _saved = ballot_box.upload_trustee_file(
                actor=request.user, trustee=trustee, data=form.cleaned_data["file"]
            )
        if not refusal:
            messages.success(request, TRUSTEE_DONE[step])
            return redirect("trustee_home")
    rows = _trustee_rows(_trusteeships(request.user), form_for=trustee.pk, form=form)
    return render(request, "elections/trustee_home.html", {"rows": rows}, status=400)


TRUSTEE_DONE = {
    ballot_box.TRANSPORT: gettext_lazy("Your transport key is published."),
    ballot_box.DEALING: gettext_lazy("Your dealing is published and its proof checked."),
    ballot_box.SHARE_KEY: gettext_lazy("Your share key is published and its proof checked."),
    ballot_box.DECRYPT: gettext_lazy(
        "Your decryption shares are published and their proofs checked."
    ),
}


# ---------------------------------------------------------------------------
# Officers appoint the trustees (by default, those the statutes name)
# ---------------------------------------------------------------------------


def _trustees_form(request, summary: dict, data=None) -> TrusteesForm:
    chosen = [t.member for t in summary["trustees"] if t.member_id] or summary["default"]
    initial = {
        "members": "\n".join(m.membership_number for m in chosen),
        "threshold": summary["k"] or summary["default_k"] or 1,
        "demo": any(t.is_demo for t in summary["trustees"]),
    }
    return TrusteesForm(data, initial=initial, demo_allowed=ballot_box.demo_keys_allowed())


@ballot_writer
@require_http_methods(["GET", "POST"])
def ballot_trustees(request, pk: int):
    """Officers name a draft secret ballot's trustees and the threshold k of n, in place of
    those the statutes named, until the key ceremony begins; a refusal is a form error."""
    ballot = _console_ballot(request, pk)
    summary = ballot_box.trustees_summary(ballot)
    form = _trustees_form(request, summary, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with refused(form=form) as refusal:
            box = ballot_box.appoint_trustees(
                actor=request.user,
                ballot=ballot,
                members=form.cleaned_data["members"],
                threshold_k=form.cleaned_data["threshold"],
                demo=form.cleaned_data.get("demo", False),
            )
        if not refusal:
            n = len(form.cleaned_data["members"])
            messages.success(
                request,
                ngettext(
                    "The trustee is named: %(k)s of %(n)s decrypts the count.",
                    "The trustees are named: %(k)s of %(n)s decrypt the count.",
                    n,
                )
                % {"k": box.threshold, "n": n},
            )
            return redirect("ballot_console", ballot.pk)
    status = 400 if request.method == "POST" else 200
    context = {"ballot": ballot, "summary": summary, "form": form}
    return render(request, "elections/ballot_trustees.html", context, status=status)
