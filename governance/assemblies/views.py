"""Pages of the assemblies: the list, convening, the meeting's page and the door.

Thin views over `governance.assemblies.services` (and `services.convene_assembly`). Members and
privileged roles read the list and a meeting's page (with its live quorum, polled by
htmx as the `quorum` partial of ``assembly_detail.html``). The door (check-in, proxies)
and the status steps are for the officers acting for the body and staff; the minutes
for them and the auditors. Every refusal from a service is a form error or a message,
and a missing role (`NotAllowed`) a 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import services
from governance.access import (
    may_act_for_some_body,
    may_oversee_body,
    may_run_meeting,
    may_take_part,
)
from governance.assemblies import services as assemblies
from governance.assemblies.forms import (
    CancelAssemblyForm,
    ConveneForm,
    DoorSearchForm,
    OwnProxyForm,
    ProxyRegistrationForm,
    RevokeProxyForm,
)
from governance.assemblies.minutes import render_minutes
from governance.models import Assembly, AssemblyProxy, Attendance, Decision, Member
from governance.permissions import bodies_acted_for, roles_for
from governance.views import governance_reader
from governance.web import refused, role_required, take_step

DECISIONS_A_PAGE = 25
MEETINGS_A_PAGE = 25

S = Assembly.Status


assembly_writer = role_required(may_take_part)


may_run = may_run_meeting


def _assembly(request, pk: int) -> Assembly:
    return get_object_or_404(Assembly.objects.with_context().visible_to(request.user), pk=pk)


def _run(request, pk: int) -> Assembly:
    assembly = _assembly(request, pk)
    if not may_run(request.user, assembly):
        raise PermissionDenied(
            _("Only officers of %(body)s and staff run this meeting.") % {"body": assembly.body}
        )
    return assembly


# ---------------------------------------------------------------------------
# The list and convening
# ---------------------------------------------------------------------------


@governance_reader
@require_GET
def assembly_list(request):
    now = timezone.now()
    meetings = Assembly.objects.with_context()
    # Two lists, each paginated with its own parameter so that paging one keeps the other.
    return render(
        request,
        "governance/assembly_list.html",
        {
            "upcoming": Paginator(meetings.upcoming(now), MEETINGS_A_PAGE).get_page(
                request.GET.get("upcoming")
            ),
            "past": Paginator(meetings.past(now), MEETINGS_A_PAGE).get_page(
                request.GET.get("past")
            ),
            "may_convene": may_act_for_some_body(request.user),
        },
    )


@role_required(may_act_for_some_body)
@require_http_methods(["GET", "POST"])
def assembly_convene(request):
    form = ConveneForm(
        request.POST or None,
        bodies=bodies_acted_for(request.user).select_related("unit").order_by("unit__name", "name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refused(form=form) as refusal:
            assembly = services.convene_assembly(actor=request.user, **data)
        if not refusal:
            messages.success(request, _("The meeting is convened."))
            return redirect("assembly_detail", assembly.pk)
    return render(
        request,
        "governance/assembly_convene.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


# ---------------------------------------------------------------------------
# A meeting's page, its live quorum and its status steps
# ---------------------------------------------------------------------------


def _own_proxy_context(request, assembly: Assembly, form=None) -> dict:
    """The member's own proxy for the meeting: the one given, or the form to give one."""
    roles = roles_for(request.user)
    if not (roles.member and roles.may_write):
        return {}
    given = (
        AssemblyProxy.objects.filter(
            assembly=assembly, giver_id=roles.member_id, status=AssemblyProxy.Status.ACTIVE
        )
        .select_related("holder")
        .first()
    )
    before_start = assembly.status == S.CONVENED and timezone.now() < assembly.starts_at
    context = {"own_proxy": given, "own_proxy_open": before_start}
    if given is None and before_start:
        rule = assemblies.proxy_rule(assembly)
        parsed = rule.parsed() if rule is not None else None
        if parsed is not None and parsed.allowed:
            context["own_proxy_form"] = form or OwnProxyForm()
            context["own_proxy_rule"] = rule
    return context


def _render_detail(
    request, assembly: Assembly, *, cancel_form=None, own_proxy_form=None, status: int = 200
):
    quorum = {
        "assembly": assembly,
        "quorum": assemblies.quorum_status(assembly),
        # Polled only while people come and go: on the day of the meeting and in session.
        "live": assemblies.door_is_open(assembly),
    }
    if request.htmx:
        return render(request, "governance/assembly_detail.html#quorum", quorum)
    running = may_run(request.user, assembly)
    # The voting engine's rule, through the reverse relation (no import upwards).
    ballots = (
        assembly.ballots.visible_to(request.user)
        .select_related("decision")
        .order_by("opens_at", "pk")
    )
    context = {
        **quorum,
        "ballots": ballots,
        # The motions app's agenda, through the reverse relation (no import upwards).
        "motions": assembly.motions.on_agenda(),
        # Paginated: a long meeting (or a register imported into it) records many.
        "decisions": (
            page := Paginator(Decision.objects.of_meeting(assembly), DECISIONS_A_PAGE).get_page(
                request.GET.get("page")
            )
        ),
        "page": page,
        "may_run": running,
        "may_read_minutes": may_oversee_body(request.user, assembly.body),
        "approvals": list(assembly.minutes_approvals.all()),
        "signing_role": (
            assemblies.minutes_signing_role(request.user, assembly)
            if assembly.status == S.CLOSED
            else None
        ),
        # A convened meeting opens on its day only: never offered before, nor once it lapsed.
        "next_step": (
            assemblies.ASSEMBLY.forward(assembly.status)
            if running
            and (assembly.status != S.CONVENED or assembly.meets_on == timezone.localdate())
            else None
        ),
        "may_cancel": running and assemblies.ASSEMBLY.allows(assembly.status, S.CANCELLED),
        "door_open": assemblies.door_is_open(assembly),
        "cancel_form": cancel_form or CancelAssemblyForm(),
        **_own_proxy_context(request, assembly, own_proxy_form),
    }
    return render(request, "governance/assembly_detail.html", context, status=status)


@assembly_writer
@require_POST
def assembly_own_proxy_give(request, pk: int):
    """A member gives their own proxy for the meeting (`assemblies.give_own_proxy`)."""
    assembly = _assembly(request, pk)
    if not roles_for(request.user).member:  # the role before the input
        raise PermissionDenied(_("Only a member gives their own proxy."))
    form = OwnProxyForm(request.POST)
    if form.is_valid():
        with refused(form=form) as refusal:
            proxy = assemblies.give_own_proxy(
                actor=request.user, assembly=assembly, holder=form.cleaned_data["holder"]
            )
        if not refusal:
            messages.success(
                request,
                _("Your proxy is given: %(holder)s will vote for you at this meeting.")
                % {"holder": proxy.holder.full_name},
            )
            return redirect("assembly_detail", assembly.pk)
    return _render_detail(request, assembly, own_proxy_form=form, status=400)


@assembly_writer
@require_POST
def assembly_own_proxy_withdraw(request, pk: int):
    """The giver withdraws their own proxy before the meeting starts."""
    proxy = get_object_or_404(AssemblyProxy.objects.visible_to(request.user), pk=pk)
    with refused(request=request) as refusal:
        assemblies.withdraw_own_proxy(actor=request.user, proxy=proxy)
    if not refusal:
        messages.success(request, _("Your proxy is withdrawn: you vote yourself again."))
    return redirect("assembly_detail", proxy.assembly_id)


@governance_reader
@require_GET
def assembly_detail(request, pk: int):
    return _render_detail(request, _assembly(request, pk))


@assembly_writer
@require_POST
def assembly_action(request, pk: int, action: str):
    """Any step of the session's lifecycle (`assemblies.ASSEMBLY`), looked up by its name."""
    step = assemblies.ASSEMBLY.steps.get(action)
    if step is None:
        raise Http404(_("Unknown step."))
    assembly = _assembly(request, pk)
    extra = {}
    if step.needs_reason:
        form = CancelAssemblyForm(request.POST)
        if not form.is_valid():
            return _render_detail(request, assembly, cancel_form=form, status=400)
        extra["reason"] = form.cleaned_data["reason"]
    take_step(request, step, assembly, **extra)
    return redirect("assembly_detail", assembly.pk)


@governance_reader
@require_GET
def assembly_projector(request, pk: int):
    """The hall's screen: the item on the agenda now, the vote open in the room with its live
    turnout, the last result published, and the quorum. It refreshes itself (htmx polls the
    `screen` partial every 5 seconds); a plain reload does the same without JavaScript.

    The meeting's ballots and motions are read through their reverse relations, so
    governance imports neither app; a constant number of queries.
    """
    assembly = _assembly(request, pk)
    ballots = assembly.ballots.select_related("decision")
    open_vote = (
        ballots.filter(status="open")
        .annotate(
            roll_size=Count("roll", distinct=True),
            turnout=Count("participations", distinct=True),
        )
        .order_by("opens_at", "pk")
        .first()
    )
    result = ballots.filter(status="published").order_by("-closed_at", "-pk").first()
    agenda = list(assembly.motions.on_agenda())
    current = next((m for m in agenda if m.status == "in_vote"), None) or next(
        (m for m in agenda if m.decision_id is None and m.status == "scheduled"), None
    )
    # The motions app's list of speakers, through the reverse relation (no import upwards).
    speakers = (
        list(
            current.speakers.filter(status__in=["speaking", "waiting"])
            .select_related("member")
            .order_by("position")[:6]
        )
        if current is not None
        else []
    )
    context = {
        "assembly": assembly,
        "quorum": assemblies.quorum_status(assembly),
        "current": current,
        "speaking": next((s for s in speakers if s.status == "speaking"), None),
        "next_speakers": [s for s in speakers if s.status == "waiting"][:5],
        "open_vote": open_vote,
        "percent": round(100 * open_vote.turnout / open_vote.roll_size)
        if open_vote and open_vote.roll_size
        else 0,
        "result": result,
        "result_figures": _result_figures(result.decision) if result and result.decision else [],
        "live": assembly.status in (S.CONVENED, S.IN_SESSION),
    }
    template = "governance/assembly_projector.html"
    return render(request, f"{template}#screen" if request.htmx else template, context)


RESULT_FIGURES = (
    ("yes", gettext_lazy("For")),
    ("no", gettext_lazy("Against")),
    ("abstain", gettext_lazy("Abstentions")),
    ("took_part", gettext_lazy("Took part")),
)


def _result_figures(decision: Decision) -> list[tuple[str, object]]:
    figures = decision.figures or {}
    return [(label, figures[key]) for key, label in RESULT_FIGURES if key in figures]


@assembly_writer
@require_GET
def assembly_confirm(request, pk: int, action: str):
    """Before closing the session: who is in the room, the quorum, the votes still open,
    and what closing cannot undo; the button there posts to `assembly_action`. The steps
    asked first are those of the lifecycle with a `confirm` question."""
    step = assemblies.ASSEMBLY.steps.get(action)
    if step is None or not step.confirm:
        raise Http404(_("Unknown step."))
    assembly = _run(request, pk)
    if assembly.status != S.IN_SESSION:
        messages.error(request, _("Only a meeting in session can be closed."))
        return redirect("assembly_detail", assembly.pk)
    context = {
        "assembly": assembly,
        "quorum": assemblies.quorum_status(assembly),
        "open_ballots": assembly.ballots.filter(status="open").count(),
    }
    return render(request, "governance/assembly_confirm.html", context)


@login_required
@require_POST
def assembly_minutes_approve(request, pk: int):
    """The chair or the secretary approves the minutes, typing the code of their second factor."""
    assembly = _assembly(request, pk)
    if assemblies.minutes_signing_role(request.user, assembly) is None:
        raise PermissionDenied(_("Only the chair and the secretary approve the minutes."))
    with refused(request=request) as refusal:
        approval = assemblies.approve_minutes(
            actor=request.user, assembly=assembly, code=request.POST.get("code", "")
        )
    if not refusal:
        messages.success(
            request,
            _("Minutes approved as %(role)s.") % {"role": approval.get_role_display()},
        )
    return redirect("assembly_detail", assembly.pk)


@login_required
@require_GET
def assembly_minutes(request, pk: int):
    assembly = _assembly(request, pk)
    if not may_oversee_body(request.user, assembly.body):
        raise PermissionDenied(_("Your role does not give access to the minutes."))
    pdf = render_minutes(assembly, generated_at=timezone.now())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="minutes-assembly-{assembly.pk}.pdf"'
    return response


# ---------------------------------------------------------------------------
# The door: search, check-in, check-out, proxies
# ---------------------------------------------------------------------------


def _door_context(request, assembly: Assembly, *, proxy_form=None) -> dict:
    form = DoorSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    return {
        "assembly": assembly,
        "form": form,
        "query": query,
        "results": assemblies.door_search(assembly, query, viewer=request.user),
        "door_open": assemblies.door_is_open(assembly),
        "proxy_form": proxy_form or ProxyRegistrationForm(),
        "proxies": AssemblyProxy.objects.filter(assembly=assembly).live().with_members(),
        "present": Attendance.objects.filter(assembly=assembly).present().count(),
        "proxies_open": assembly.status in (S.CONVENED, S.IN_SESSION),
    }


@assembly_writer
@require_GET
def assembly_door(request, pk: int):
    assembly = _run(request, pk)
    if request.htmx and request.htmx.target == "door-count":
        # The count polling by itself (other doors check members in too).
        return render(
            request,
            "governance/assembly_door.html#count",
            {
                "assembly": assembly,
                "door_open": assemblies.door_is_open(assembly),
                "present": Attendance.objects.filter(assembly=assembly).present().count(),
            },
        )
    context = _door_context(request, assembly)
    if request.htmx:
        return render(request, "governance/assembly_door.html#results", context)
    return render(request, "governance/assembly_door.html", context)


def _door_row(request, assembly: Assembly, member_pk: int, *, error: str = ""):
    """The one search result a check-in or check-out changed (for htmx), with any refusal."""
    member = Member.objects.visible_at_door(request.user, assembly).filter(pk=member_pk).first()
    if member is None:
        raise Http404(_("No such member."))
    found = assemblies.door_search(assembly, member.membership_number, viewer=request.user)
    (row,) = [m for m in found if m.pk == member.pk] or [None]
    if row is None:
        raise Http404(_("No such member."))
    context = {
        "assembly": assembly,
        "member": row,
        "error": error,
        "door_open": assemblies.door_is_open(assembly),
        "query": request.POST.get("q", ""),
        "present": Attendance.objects.filter(assembly=assembly).present().count(),
    }
    return render(request, "governance/_door_step.html", context, status=400 if error else 200)


def _door_step(request, pk: int, step, done):
    assembly = _run(request, pk)
    raw = request.POST.get("member", "")
    # Only digits reach the query: "abc" would make the database raise, not find nothing.
    member = get_object_or_404(
        Member.objects.visible_at_door(request.user, assembly), pk=int(raw) if raw.isdigit() else 0
    )
    with refused() as refusal:
        step(actor=request.user, assembly=assembly, member=member)
    error = refusal.message
    if request.htmx:
        return _door_row(request, assembly, member.pk, error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done % {"name": member.full_name})
    query = request.POST.get("q", "")
    target = reverse("assembly_door", args=[assembly.pk])
    return redirect(f"{target}?{urlencode({'q': query})}" if query else target)


@assembly_writer
@require_POST
def assembly_check_in(request, pk: int):
    return _door_step(request, pk, assemblies.check_in, _("%(name)s is checked in."))


@assembly_writer
@require_POST
def assembly_check_out(request, pk: int):
    return _door_step(request, pk, assemblies.check_out, _("%(name)s is checked out."))


@assembly_writer
@require_POST
def assembly_proxy_register(request, pk: int):
    assembly = _run(request, pk)
    form = ProxyRegistrationForm(request.POST)
    if form.is_valid():
        with refused(form=form) as refusal:
            proxy = assemblies.register_proxy(
                actor=request.user,
                assembly=assembly,
                giver=form.cleaned_data["giver"],
                holder=form.cleaned_data["holder"],
            )
        if not refusal:
            messages.success(
                request,
                _("Proxy registered: %(holder)s votes for %(giver)s.")
                % {"giver": proxy.giver.full_name, "holder": proxy.holder.full_name},
            )
            return redirect("assembly_door", assembly.pk)
    context = _door_context(request, assembly, proxy_form=form)
    return render(request, "governance/assembly_door.html", context, status=400)


@assembly_writer
@require_POST
def assembly_proxy_revoke(request, pk: int):
    proxy = get_object_or_404(
        AssemblyProxy.objects.visible_to(request.user).select_related("assembly__body"), pk=pk
    )
    form = RevokeProxyForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    with refused(request=request) as refusal:
        assemblies.revoke_proxy(actor=request.user, proxy=proxy, reason=reason)
    if not refusal:
        messages.success(request, _("The proxy is revoked."))
    return redirect("assembly_door", proxy.assembly_id)
