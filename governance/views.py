"""Pages of the governance core: thin views that read via querysets and write via services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import services
from governance.access import may_manage_roll, may_read_audit, may_read_record, may_read_roll
from governance.accounts import enrolment
from governance.audit import log as audit
from governance.audit.anomalies import recheck_rules
from governance.audit.trail import decision_trail
from governance.exceptions import DomainError, RuleViolation
from governance.forms import (
    DecisionFilterForm,
    DuesImportForm,
    DuesPaymentForm,
    MemberImportForm,
    MemberLanguageForm,
    MemberSearchForm,
    StatuteDiffForm,
)
from governance.models import (
    Article,
    Assembly,
    AuditEvent,
    Body,
    Decision,
    DuesPayment,
    Mandate,
    Member,
    MemberImport,
    OrganisationUnit,
    Rule,
    StatuteVersion,
)
from governance.permissions import roles_for
from governance.roll import importing, jobs
from governance.statutes.diff import diff_versions
from governance.statutes.eligibility import entitled_member_ids, entitlement_of
from governance.statutes.text import figure_items
from governance.translation_views import units_translatable_by
from governance.web import refused, role_required

governance_reader = role_required(may_read_record)


@login_required
@require_GET
def dashboard(request):
    roles = roles_for(request.user)
    today = timezone.localdate()
    context = {"today": today}
    if roles.member:
        member = (
            Member.objects.with_standing()
            .select_related("unit")
            .prefetch_related("dues_payments")
            .get(pk=roles.member_id)
        )
        context["member"] = member
        context["my_mandates"] = Mandate.objects.with_people().filter(member=member).current()
    if may_read_record(request.user):
        context["upcoming_assemblies"] = (
            Assembly.objects.select_related("body")
            .filter(starts_at__gte=timezone.now(), status=Assembly.Status.CONVENED)
            .order_by("starts_at")[:5]
        )
        context["recent_decisions"] = Decision.objects.for_register()[:5]
    if roles.officer:
        context["officer_bodies"] = Body.objects.filter(
            pk__in=roles.officer_body_ids
        ).select_related("unit")
    if may_read_roll(request.user):
        context["roll_stats"] = Member.objects.aggregate(
            active=Count("pk", filter=Q(kind=Member.Kind.MEMBER, status=Member.Status.ACTIVE)),
            supporters=Count("pk", filter=Q(kind=Member.Kind.SUPPORTER)),
            in_good_standing=Count(
                "pk",
                filter=Q(
                    kind=Member.Kind.MEMBER,
                    status=Member.Status.ACTIVE,
                    dues_payments__year=today.year,
                ),
            ),
        )
        # Who may vote is the statutes' eligibility rule (dues, seniority, age), the one
        # the ballots' rolls and the quorum use; not a count of active members.
        try:
            context["roll_stats"]["entitled"] = len(entitled_member_ids(today))
        except RuleViolation:
            context["roll_stats"]["entitled"] = None
    if may_read_audit(request.user):
        context["audit_events"] = AuditEvent.objects.count()
    return render(request, "governance/dashboard.html", context)


# ---------------------------------------------------------------------------
# Organisation and bodies
# ---------------------------------------------------------------------------


@governance_reader
@require_GET
def organisation(request):
    units = list(
        OrganisationUnit.objects.with_counts()
        .select_related("parent")
        .prefetch_related(Prefetch("bodies", queryset=Body.objects.order_by("name")))
        .order_by("name")
    )
    children: dict[int | None, list] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)

    def tree(parent_id):
        return [{"unit": unit, "children": tree(unit.pk)} for unit in children.get(parent_id, [])]

    translatable = units_translatable_by(request.user)
    for unit in units:
        unit.may_translate = translatable is None or unit.pk in translatable
    return render(request, "governance/organisation.html", {"tree": tree(None)})


@governance_reader
@require_GET
def body_detail(request, code: str):
    body = get_object_or_404(Body.objects.with_current_mandates(), code=code)
    past = (
        Mandate.objects.filter(body=body, ends_on__lt=timezone.localdate())
        .select_related("member")
        .order_by("-ends_on", "-pk")
    )
    page = Paginator(past, 50).get_page(request.GET.get("page"))
    return render(request, "governance/body_detail.html", {"body": body, "page": page})


# ---------------------------------------------------------------------------
# Statutes
# ---------------------------------------------------------------------------


@governance_reader
@require_GET
def statute_list(request):
    versions = StatuteVersion.objects.select_related("adopted_by").annotate(
        article_count=Count("articles")
    )
    in_force = StatuteVersion.objects.in_force()
    return render(
        request,
        "governance/statute_list.html",
        {"versions": versions, "in_force": in_force, "diff_form": StatuteDiffForm()},
    )


@governance_reader
@require_GET
def statute_version(request, number: int):
    version = get_object_or_404(StatuteVersion.objects.select_related("adopted_by"), number=number)
    articles = version.articles.prefetch_related(
        Prefetch("rules", queryset=Rule.objects.order_by("kind", "scope"))
    )
    return render(
        request, "governance/statute_version.html", {"version": version, "articles": articles}
    )


@governance_reader
@require_GET
def article_detail(request, number: int, article: str):
    article = get_object_or_404(
        Article.objects.select_related("version").prefetch_related("rules"),
        version__number=number,
        number=article,
    )
    decisions = Decision.objects.for_register().under_article(article)[:20]
    return render(
        request, "governance/article_detail.html", {"article": article, "decisions": decisions}
    )


@governance_reader
@require_GET
def statute_diff(request):
    form = StatuteDiffForm(request.GET or None)
    changes = None
    if form.is_valid():
        changes = diff_versions(form.cleaned_data["old"], form.cleaned_data["new"])
    return render(request, "governance/statute_diff.html", {"form": form, "changes": changes})


# ---------------------------------------------------------------------------
# Membership roll
# ---------------------------------------------------------------------------


@role_required(may_read_roll)
@require_GET
def member_roll(request):
    form = MemberSearchForm(request.GET)
    members = (
        Member.objects.visible_to(request.user)
        .for_roll()
        .order_by("last_name", "first_name", "membership_number")
    )
    if form.is_valid():
        members = members.search(form.cleaned_data["q"])
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    template = "governance/member_roll.html#roll" if request.htmx else "governance/member_roll.html"
    return render(request, template, {"form": form, "page": page})


def _import_page(request, form, *, run, done, template: str):
    """The roll's and the dues' import pages: all or nothing, every bad line listed."""
    line_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            report = run(
                actor=request.user,
                data=form.cleaned_data["file"].read(),
                today=timezone.localdate(),
            )
        except DomainError as error:
            form.add_error("file", error.message)
            line_errors = [str(d) for d in error.details]
        else:
            messages.success(request, done(report))
            return redirect("member_roll")
    status = 400 if form.errors else 200
    return render(request, template, {"form": form, "line_errors": line_errors}, status=status)


def _import_done(job) -> str:
    return _("Import done: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.") % {
        "created": job.created,
        "updated": job.updated,
        "unchanged": job.unchanged,
    }


@role_required(may_manage_roll)
@require_http_methods(["GET", "POST"])
def member_import(request):
    """The file goes to the task worker (`roll.jobs`); its page shows the import's progress.
    Run in the request (the immediate backend), the outcome is shown at once, as before."""
    form = MemberImportForm(request.POST or None, request.FILES or None)
    line_errors = []
    if request.method == "POST" and form.is_valid():
        job = jobs.start(actor=request.user, upload=form.cleaned_data["file"])
        if not job.finished:
            return redirect("member_import_progress", pk=job.pk)
        if job.status == MemberImport.Status.DONE:
            messages.success(request, _import_done(job))
            return redirect("member_roll")
        form.add_error("file", job.message or _("The import failed; nothing was imported."))
        line_errors = job.line_errors
    status = 400 if form.errors else 200
    return render(
        request,
        "governance/member_import.html",
        {"form": form, "line_errors": line_errors},
        status=status,
    )


@role_required(may_manage_roll)
@require_GET
def member_import_progress(request, pk):
    """One import's phase and progress; its htmx partial is polled while it runs."""
    job = get_object_or_404(MemberImport.objects.defer("data"), pk=pk)
    progress = jobs.progress_of(job)
    current = progress[0] if progress else None
    labels = {
        "reading": _("Reading the file"),
        "checking": _("Checking against the roll"),
        "writing": _("Writing the members"),
    }
    if job.status == MemberImport.Status.DONE:
        at = len(jobs.PHASES)
    else:
        at = jobs.PHASES.index(current) if current else -1
    phases = [
        {
            "label": labels[phase],
            "state": "done" if index < at else "current" if index == at else "waiting",
        }
        for index, phase in enumerate(jobs.PHASES)
    ]
    percent = None
    if progress:
        _phase, done, total = progress
        percent = min(100, done * 100 // total) if total else 0
    context = {
        "job": job,
        "phases": phases,
        "current": labels.get(current),
        "progress": progress,
        "percent": percent,
        "done_message": _import_done(job) if job.status == MemberImport.Status.DONE else "",
    }
    template = "governance/member_import_progress.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, context)


def _member_page(
    request,
    member: Member,
    form: DuesPaymentForm | None = None,
    *,
    language_form: MemberLanguageForm | None = None,
    status=200,
):
    today = timezone.localdate()
    mandates = list(
        Mandate.objects.with_people().filter(member=member).order_by("-ends_on", "body__name")
    )
    for mandate in mandates:
        mandate.current = mandate.is_current(today)
    try:
        entitlement = entitlement_of(member, today)
    except RuleViolation:
        entitlement = None
    if form is None and roles_for(request.user).staff and roles_for(request.user).may_write:
        form = DuesPaymentForm(initial={"year": today.year, "paid_on": today})
    if language_form is None and form is not None:
        language_form = MemberLanguageForm(initial={"language": member.language})
    context = {
        "member": member,
        "dues": member.dues_payments.all(),
        "mandates": mandates,
        "entitlement": entitlement,
        "form": form,
        "language_form": language_form,
        "today": today,
    }
    return render(request, "governance/member_detail.html", context, status=status)


def _member_or_404(request, pk: int) -> Member:
    return get_object_or_404(
        Member.objects.visible_to(request.user)
        .for_roll()
        .select_related("unit__parent")
        .prefetch_related(
            Prefetch("dues_payments", queryset=DuesPayment.objects.order_by("-year"))
        ),
        pk=pk,
    )


@role_required(may_read_roll)
@require_GET
def member_detail(request, pk: int):
    """A member as staff see them: details, dues history, mandates, group, entitlement today."""
    return _member_page(request, _member_or_404(request, pk))


@role_required(may_manage_roll)
@require_POST
def member_dues_record(request, pk: int):
    member = _member_or_404(request, pk)
    form = DuesPaymentForm(request.POST)
    if form.is_valid():
        with refused(form=form) as refusal:
            services.record_dues_payment(actor=request.user, member=member, **form.cleaned_data)
        if not refusal:
            messages.success(
                request,
                _("Dues for %(year)s recorded for %(name)s.")
                % {"year": form.cleaned_data["year"], "name": member.full_name},
            )
            return redirect("member_detail", pk=member.pk)
    return _member_page(request, member, form, status=400)


@role_required(may_manage_roll)
@require_POST
def member_language(request, pk: int):
    """Staff set the language of the member's e-mails (`services.set_member_language`)."""
    member = _member_or_404(request, pk)
    form = MemberLanguageForm(request.POST)
    if form.is_valid():
        with refused(form=form) as refusal:
            services.set_member_language(
                actor=request.user, member=member, language=form.cleaned_data["language"]
            )
        if not refusal:
            messages.success(
                request,
                _("The language of %(name)s's e-mails is saved.") % {"name": member.full_name},
            )
            return redirect("member_detail", pk=member.pk)
    return _member_page(request, member, language_form=form, status=400)


@role_required(may_manage_roll)
@require_POST
@never_cache
def member_enrolment_link(request, pk: int):
    """Staff issue a member's account its second-factor enrolment link, shown once.

    For a holder without a verified e-mail, or one staff have checked in person: the link
    (signed, for that account only, valid three days) is the proof beyond the password
    that `accounts.enrolment` asks before a second factor is enrolled or replaced. Issuing
    it is an audit event; the link itself is never stored.
    """
    member = _member_or_404(request, pk)
    if member.user_id is None:
        messages.error(request, _("%(name)s has no account to enrol.") % {"name": member.full_name})
        return _member_page(request, member, status=400)
    try:
        link = enrolment.issue_link(actor=request.user, user=member.user)
    except DomainError as error:
        messages.error(request, error.message)
        return _member_page(request, member, status=400)
    context = {"member": member, "link": link, "days": enrolment.LINK_SECONDS // 86400}
    response = render(request, "governance/member_enrolment_link.html", context)
    response["Referrer-Policy"] = "no-referrer"
    return response


@role_required(may_manage_roll)
@require_http_methods(["GET", "POST"])
def dues_import(request):
    return _import_page(
        request,
        DuesImportForm(request.POST or None, request.FILES or None),
        run=importing.import_dues,
        done=lambda report: (
            _("Dues imported: %(recorded)s recorded, %(unchanged)s already recorded.")
            % {"recorded": report.recorded, "unchanged": report.unchanged}
        ),
        template="governance/dues_import.html",
    )


# ---------------------------------------------------------------------------
# Decision register
# ---------------------------------------------------------------------------


@governance_reader
@require_GET
def decision_list(request):
    form = DecisionFilterForm(request.GET)
    decisions = Decision.objects.visible_to(request.user).for_register()
    if form.is_valid():
        decisions = decisions.filter_register(**form.register_filters())
    else:
        decisions = decisions.none()
    page = Paginator(decisions, 25).get_page(request.GET.get("page"))
    template = (
        "governance/decision_list.html#results" if request.htmx else "governance/decision_list.html"
    )
    return render(request, template, {"form": form, "page": page})


@governance_reader
@require_GET
def decision_detail(request, reference: str):
    decision = get_object_or_404(
        Decision.objects.visible_to(request.user).for_register().prefetch_related("superseded_by"),
        reference=reference,
    )
    context = {
        "decision": decision,
        "rechecks": recheck_rules(decision.figures, decision.rule_snapshot),
        "figures": figure_items(decision.figures),
    }
    if may_read_audit(request.user):
        # The full trail (the ballot, later the motion, and every audit event) is for auditors.
        context["trail"] = decision_trail(decision)
    return render(request, "governance/decision_detail.html", context)


# ---------------------------------------------------------------------------
# Audit log
# ---------------------------------------------------------------------------


@role_required(may_read_audit)
@require_GET
def audit_log(request):
    events = AuditEvent.objects.visible_to(request.user).order_by("-sequence")
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "governance/audit_log.html", {"page": page, "action": action})


@role_required(may_read_audit)
@require_GET
def audit_verify(request):
    result = audit.verify_chain()
    template = (
        "governance/audit_log.html#verification" if request.htmx else "governance/audit_verify.html"
    )
    return render(request, template, {"verification": result})
