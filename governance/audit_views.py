"""The auditors' pages beyond the register: the record as of a date, the anomaly report, exports."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from governance import anomalies, exports
from governance.asof import as_of
from governance.forms import AsOfForm
from governance.permissions import may_read_audit
from governance.views import role_required

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


@auditor_reader
@require_GET
def audit_anomalies(request):
    found = anomalies.report()
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

    Without a format, the page offering the downloads. The PDF is only made by
    ``manage.py export_register --format pdf``: its library builds it in memory.
    """
    fmt = request.GET.get("format")
    if fmt not in CONTENT_TYPES:
        return render(
            request,
            "governance/audit_export.html",
            {"formats": list(CONTENT_TYPES), "bad_format": fmt is not None},
            status=400 if fmt is not None else 200,
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(exports.export_chunks(fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="decision-register-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
