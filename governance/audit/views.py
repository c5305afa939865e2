"""The auditors' pages beyond the register: the record as of a date, the anomaly report, exports."""

from __future__ import annotations

import io
import json

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from governance import csvsafe
from governance.access import may_read_audit
from governance.audit import anomalies, checkpoints, exports, proofs
from governance.audit import log as audit
from governance.audit.asof import as_of
from governance.forms import AsOfForm, CheckpointForm, InclusionProofForm
from governance.web import role_required

auditor_reader = role_required(may_read_audit)

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8"}


@auditor_reader
@require_GET
def audit_as_of(request):
    """The statutes and the bodies as they stood on the date asked (a bad date is a form error)."""
    form = AsOfForm(request.GET or None)
    record = as_of(form.cleaned_data["date"]) if form.is_valid() else None
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request, "governance/audit_as_of.html", {"form": form, "record": record}, status=status
    )


def _signed_head(size: int, root: bytes) -> str:
    """The current signed head: the tree of `size` events and its root, signed now."""
    return checkpoints.sign(
        checkpoints.Checkpoint(
            origin=settings.AUDIT_LOG_ORIGIN,
            size=size,
            root=root,
            time=timezone.now().replace(microsecond=0),
        )
    )


@auditor_reader
@require_http_methods(["GET", "POST"])
def audit_checkpoint_check(request):
    """Paste a checkpoint (from an e-mail, the minutes, an export): is it the platform's, and
    does the log still extend it? A read: it changes nothing, so auditors may post it.

    Once it holds, the consistency proof from its size to the current signed head is shown;
    ``?sequence=N`` shows event N's inclusion proof against the current head, so an auditor
    can check both with any RFC 9162 verifier.
    """
    form = CheckpointForm(request.POST if request.method == "POST" else None)
    inclusion_form = InclusionProofForm(
        request.GET if request.method == "GET" and "sequence" in request.GET else None
    )
    result = checkpoint = consistency = inclusion = head = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                checkpoint = checkpoints.read_signed(form.cleaned_data["checkpoint"])
            except checkpoints.CheckpointError as error:
                form.add_error("checkpoint", str(error))
            else:
                result = audit.verify_chain([checkpoint])
                if result.ok and result.checkpoints[0].ok and checkpoint.size:
                    try:
                        consistency = proofs.consistency(checkpoint.size)
                    except proofs.ProofError:
                        consistency = None  # the log moved meanwhile: the check above stands
                    else:
                        head = _signed_head(consistency.second, consistency.second_root)
        if not form.is_valid():
            status = 400
    if inclusion_form.is_bound and inclusion_form.is_valid():
        data = inclusion_form.cleaned_data
        try:
            inclusion = proofs.inclusion(data["sequence"], data["tree_size"])
        except proofs.ProofError as error:
            inclusion_form.add_error(error.field, error.message)
        else:
            head = _signed_head(inclusion.tree_size, inclusion.root)
    if inclusion_form.is_bound and not inclusion_form.is_valid():
        status = 400
    context = {
        "form": form,
        "inclusion_form": inclusion_form,
        "checkpoint": checkpoint,
        "result": result,
        "check": result.checkpoints[0] if result else None,
        "consistency": consistency,
        "inclusion": inclusion,
        "signed_head": head,
        "verifier_key": checkpoints.verifier_key(),
    }
    return render(request, "governance/audit_checkpoint.html", context, status=status)


@auditor_reader
@require_GET
@never_cache
def audit_checkpoint_download(request):
    """The log's checkpoint now, signed, as a file to keep outside the platform."""
    text = checkpoints.signed_current()
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-checkpoint-{stamp}.txt"'
    return response


@auditor_reader
@require_GET
def audit_events_export(request):
    """The whole audit log as JSON lines (see `audit.export_lines`), streamed."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(
        audit.export_lines(), content_type="application/x-ndjson; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.jsonl"'
    response["Cache-Control"] = "no-store"
    return response


ANOMALY_COLUMNS = ("kind", "on", "subject", "message", "url")


def _anomalies_download(found, fmt: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    rows = [anomaly.as_dict() for anomaly in found]
    if fmt == "json":
        body = json.dumps(rows, ensure_ascii=False, indent=1)
    else:
        out = io.StringIO()
        # A cell a spreadsheet would run as a formula gets a leading apostrophe (OWASP).
        writer = csvsafe.writer(out, lineterminator="\n")
        writer.writerow(ANOMALY_COLUMNS)
        writer.writerows(
            [csvsafe.neutralise(row[name] or "") for name in ANOMALY_COLUMNS] for row in rows
        )
        body = out.getvalue()
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="anomalies-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@auditor_reader
@require_GET
def audit_anomalies(request):
    found = anomalies.report()
    fmt = request.GET.get("format")
    if fmt in CONTENT_TYPES:
        return _anomalies_download(found, fmt)
    by_kind: dict[str, list] = {kind: [] for kind in anomalies.KINDS}
    for anomaly in found:
        by_kind.setdefault(anomaly.kind, []).append(anomaly)
    groups = [
        (str(anomalies.KINDS.get(kind, kind)), items) for kind, items in by_kind.items() if items
    ]
    return render(
        request,
        "governance/audit_anomalies.html",
        {"count": len(found), "groups": groups, "kinds": list(anomalies.KINDS.values())},
    )


@auditor_reader
@require_GET
def audit_export(request):
    """The register as JSON or CSV with its digest and the audit head, streamed as it is read.

    Without a format, the page offering every download the auditors keep: the register
    (JSON, CSV, or PDF for people with the JSON attached), the audit log, the anomaly report.
    """
    fmt = request.GET.get("format")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    if fmt == "pdf":
        # fpdf2 builds the whole document in memory anyway: no stream to gain.
        buffer = io.BytesIO()
        exports.export_register(buffer, fmt="pdf")
        response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="decision-register-{stamp}.pdf"'
        response["Cache-Control"] = "no-store"
        return response
    if fmt not in CONTENT_TYPES:
        return render(
            request,
            "governance/audit_export.html",
            {"formats": [*CONTENT_TYPES, "pdf"], "bad_format": fmt is not None},
            status=400 if fmt is not None else 200,
        )
    # The stream signs a checkpoint once its headers are sent: a missing key must stop it
    # before, as the project's 503 (not as a cut file).
    checkpoints.signing_key()
    response = StreamingHttpResponse(exports.export_chunks(fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="decision-register-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
