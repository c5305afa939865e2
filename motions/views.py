"""Pages of the motions app: the officers' workspace, the members' reading and support, the chair's
agenda. Thin views: forms parse, `motions.services` decides; a refusal for lack of a role is a 403
page, any other refusal a form error (400) or a message. The officers' forms ask the workflow
whether the user may take the step before reading the form, so a role that may not gets its 403
whatever it posts."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import lifecycle
from governance.access import may_read_record, may_take_part
from governance.exceptions import DomainError
from governance.models import Body, StatuteVersion
from governance.permissions import roles_for
from governance.statutes.diff import diff_articles
from governance.statutes.lookup import rule_for
from governance.textdiff import Piece, word_diff
from governance.web import refused, role_checked, role_required
from motions import access, services, statute_changes, texts, workflow
from motions.forms import (
    AmendmentForm,
    CompareForm,
    FollowUpForm,
    ForwardForm,
    ICOutcomeForm,
    MotionFilterForm,
    MotionForm,
    ReasonForm,
    ReferForm,
    SpeakerForm,
    VoteForm,
    VotingMandateForm,
)
from motions.models import Amendment, Motion, Speaker, Support, VotingMandate
from motions.statute_forms import ArticleChangeForm, ArticleChoiceForm

reader = role_required(may_read_record)
writer = role_required(may_take_part)


def _motion_for(request, pk: int) -> Motion:
    # A draft is read by its proposer, its co-sponsors and those given its share link (a
    # secret token: motions/access.py); to anyone else it does not exist.
    motion = get_object_or_404(Motion.objects.for_detail(), pk=pk)
    if not access.may_read(request.user, motion, request=request):
        raise Http404(_("There is no such motion."))
    return motion


@reader
@require_GET
def draft_shared(request, token: str):
    """A draft's share link: remember it for this person, then show the motion."""
    motion = Motion.objects.filter(share_token=token).only("pk").first()
    if motion is not None:
        access.remember(request, motion)
        return redirect("motion_detail", motion.pk)
    amendment = Amendment.objects.filter(share_token=token).only("pk", "motion_id").first()
    if amendment is None:
        raise Http404(_("This share link is not valid."))
    access.remember(request, amendment)
    return redirect(
        reverse("motion_detail", args=[amendment.motion_id]) + f"#amendment-{amendment.pk}"
    )


def share_url(request, item) -> str:
    """The link a proposer sends to the members asked to co-sponsor the draft."""
    return request.build_absolute_uri(reverse("draft_shared", args=[item.share_token]))


# ---------------------------------------------------------------------------
# List and drafting
# ---------------------------------------------------------------------------


@reader
@require_GET
def motion_list(request):
    form = MotionFilterForm(request.GET or None)
    motions = Motion.objects.for_list().listed_for(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            motions = motions.filter(pk__in=Motion.objects.search(data["q"]).values("pk"))
        if data["status"]:
            motions = motions.filter(status=data["status"])
        if data["kind"]:
            motions = motions.filter(kind=data["kind"])
    page = Paginator(motions, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "motions/motion_list.html",
        {"form": form, "page": page, "may_draft": may_take_part(request.user)},
    )


def _live_preview(form, url: str) -> None:
    """The text field posts the form to the page as the officer types; the page answers with
    its preview fragment."""
    form.fields["text"].widget.attrs.update(
        {
            "hx-post": url,
            "hx-trigger": "input changed delay:400ms",
            "hx-target": "#preview",
            "hx-swap": "outerHTML",
            "hx-vals": '{"preview": "1"}',
        }
    )


def _preview(request, form_template: str, context: dict):
    """The live preview: the text as paragraphs, numbered as amendments will cite them."""
    text = texts.normalise(request.POST.get("text", ""))
    return render(
        request,
        f"{form_template}#preview",
        {**context, "paragraphs": texts.paragraphs(text)},
    )


@writer
def motion_create(request):
    if request.method == "POST" and request.htmx and "preview" in request.POST:
        return _preview(request, "motions/motion_form.html", {})
    form = MotionForm(request.POST or None)
    _live_preview(form, request.path)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refused(form=form) as refusal:
            motion = services.create_motion(
                actor=request.user,
                kind=data["kind"],
                body=data["body"],
                assembly=data["assembly"],
                title=data["title"],
                text=data["text"],
            )
        if not refusal:
            messages.success(request, _("Draft saved as version 1."))
            if motion.is_statute_amendment:
                # Next: the articles it changes, on their own page.
                return redirect("motion_statute_changes", motion.pk)
            return redirect("motion_detail", motion.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "paragraphs": texts.paragraphs(request.POST.get("text", ""))}
    return render(request, "motions/motion_form.html", context, status=status)


@writer
def motion_edit(request, pk: int):
    motion = _motion_for(request, pk)
    if motion.status != Motion.Status.DRAFT or not services.may_take(request.user, motion, "edit"):
        raise PermissionDenied(_("Only the proposer edits a draft."))
    if request.method == "POST" and request.htmx and "preview" in request.POST:
        return _preview(request, "motions/motion_form.html", {"motion": motion})
    form = MotionForm(
        request.POST or None,
        editing=True,
        initial=MotionForm.initial_for(motion.current_version, motion.assembly),
    )
    _live_preview(form, request.path)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refused(form=form) as refusal:
            version = services.edit_motion(
                actor=request.user,
                motion=motion,
                title=data["title"],
                text=data["text"],
                # The articles are changed on their own page; the text edit keeps them.
                statute_changes=motion.current_version.statute_changes,
                assembly=data["assembly"],
            )
        if not refusal:
            if version is None:
                messages.info(request, _("Nothing changed: no new version."))
            else:
                messages.success(
                    request, _("Saved as version %(number)s.") % {"number": version.number}
                )
            return redirect("motion_detail", motion.pk)
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "motion": motion,
        "paragraphs": texts.paragraphs(request.POST.get("text", motion.text)),
    }
    return render(request, "motions/motion_form.html", context, status=status)


# ---------------------------------------------------------------------------
# A statute amendment's changes, drafted article by article
# ---------------------------------------------------------------------------


def _statute_diff(current, proposed) -> list:
    return [c for c in diff_articles(current, proposed) if c.status != "unchanged"]


def _without_change_of(changes: list, number: str) -> list:
    """The changes but the earlier one of the same article: a second edit replaces the first."""
    return [c for c in changes if c.get("number") != number]


@writer
@require_http_methods(["GET", "POST"])
def motion_statute_changes(request, pk: int):
    """The proposer drafts the articles a statute amendment changes: picks an article (GET),
    edits its text and its rules' parameters in fields of their kind, adds or repeals
    articles (POST, each saved as a new version through `services.edit_motion`), and sees
    the new version's diff against the statutes in force."""
    motion = _motion_for(request, pk)
    if (
        not motion.is_statute_amendment
        or motion.status != Motion.Status.DRAFT
        or not services.may_take(request.user, motion, "edit")
    ):
        raise PermissionDenied(_("Only the proposer drafts the changes of a statute amendment."))
    changes = list(motion.current_version.statute_changes or [])
    in_force = StatuteVersion.objects.in_force()
    if in_force is None:
        raise Http404(_("There are no statutes in force to amend."))
    current = statute_changes.specs_of(in_force.articles.prefetch_related("rules"))
    proposed = current
    if changes:
        # If the statutes changed since drafting: say so, and start again from them.
        with refused(request=request):
            proposed = statute_changes.apply_changes(current, changes)
    by_number = {a.number: a for a in proposed}
    chooser = ArticleChoiceForm(articles=proposed)
    form, status = None, 200
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "withdraw":
            raw = request.POST.get("index", "")
            if not raw.isdigit() or int(raw) >= len(changes):
                raise Http404(_("No such change."))
            del changes[int(raw)]
            return _save_statute_changes(request, motion, changes, None)
        action = request.POST.get("action")
        if action not in ("replace", "remove", "add"):
            raise Http404(_("Unknown change."))
        article = by_number.get(request.POST.get("number", "")) if action != "add" else None
        if action != "add" and article is None:
            raise Http404(_("No such article."))
        form = ArticleChangeForm(request.POST, action=action, article=article, articles=proposed)
        if form.is_valid():
            change = form.change()
            response = _save_statute_changes(
                request, motion, [*_without_change_of(changes, change["number"]), change], form
            )
            if response is not None:
                return response
        status = 400
    elif "action" in request.GET:
        action = request.GET.get("action")
        if action == "add":
            form = ArticleChangeForm(action="add", article=None, articles=proposed)
        else:
            chooser = ArticleChoiceForm(request.GET, articles=proposed)
            if chooser.is_valid():
                data = chooser.cleaned_data
                form = ArticleChangeForm(
                    action=data["action"], article=by_number[data["article"]], articles=proposed
                )
            else:
                status = 400
    context = {
        "motion": motion,
        "changes": [
            {"index": i, "change": c, "title": c.get("title", "")} for i, c in enumerate(changes)
        ],
        "chooser": chooser,
        "form": form,
        "statute_diff": _statute_diff(current, proposed),
    }
    return render(request, "motions/statute_changes.html", context, status=status)


def _save_statute_changes(request, motion: Motion, changes: list, form):
    """Save the changes as the draft's next version; None (with the form's error) if refused."""
    current = motion.current_version
    with refused(request=request if form is None else None) as refusal:
        services.edit_motion(
            actor=request.user,
            motion=motion,
            title=current.title,
            text=current.text,
            statute_changes=changes,
        )
    if refusal:
        if form is None:
            return redirect("motion_statute_changes", motion.pk)
        form.add_error(None, refusal.message)
        return None
    messages.success(request, _("The changes to the statutes are saved as a new version."))
    return redirect("motion_statute_changes", motion.pk)


# ---------------------------------------------------------------------------
# The list of speakers, kept by the chair
# ---------------------------------------------------------------------------

SPEAKER_STEPS = {
    "floor": (services.give_floor, gettext_lazy("%(name)s has the floor.")),
    "done": (services.end_speech, gettext_lazy("%(name)s has spoken.")),
    "withdraw": (services.withdraw_speaker, gettext_lazy("%(name)s is off the list.")),
}


@writer
@require_http_methods(["GET", "POST"])
def motion_speakers(request, pk: int):
    """The chair's list of speakers on a motion of the agenda: add a member by number, give
    the floor, record that they have spoken, take them off (`services.add_speaker` ...)."""
    motion = _motion_for(request, pk)
    with role_checked():  # the role before the input
        services.ensure_may_take(request.user, motion, "speakers")
    form = SpeakerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with refused(form=form) as refusal:
                speaker = services.add_speaker(
                    actor=request.user, motion=motion, member=form.cleaned_data["member"]
                )
            if not refusal:
                messages.success(
                    request,
                    _("%(name)s is on the list.") % {"name": speaker.member.full_name},
                )
                return redirect("motion_speakers", motion.pk)
        status = 400
    speakers = list(motion.speakers.select_related("member").order_by("position"))
    context = {
        "motion": motion,
        "form": form,
        "speaking": next((s for s in speakers if s.status == Speaker.Status.SPEAKING), None),
        "waiting": [s for s in speakers if s.status == Speaker.Status.WAITING],
        "spoken": [s for s in speakers if s.status == Speaker.Status.DONE],
    }
    return render(request, "motions/speakers.html", context, status=status)


@writer
@require_POST
def speaker_action(request, pk: int, action: str):
    if action not in SPEAKER_STEPS:
        raise Http404(_("Unknown step."))
    speaker = get_object_or_404(Speaker.objects.select_related("member"), pk=pk)
    step, done = SPEAKER_STEPS[action]
    with refused(request=request) as refusal:
        step(actor=request.user, speaker=speaker)
    if not refusal:
        messages.success(request, done % {"name": speaker.member.full_name})
    return redirect("motion_speakers", speaker.motion_id)


FLOOR_STEPS = {
    "ask": (services.ask_for_the_floor, gettext_lazy("You are on the list of speakers.")),
    "withdraw": (services.withdraw_my_request, gettext_lazy("You are off the list of speakers.")),
}


@writer
@require_POST
def motion_floor(request, pk: int, action: str):
    """A member present at the meeting asks for the floor on a motion, or withdraws the
    request (`services.ask_for_the_floor`, `services.withdraw_my_request`)."""
    if action not in FLOOR_STEPS:
        raise Http404(_("Unknown step."))
    motion = _motion_for(request, pk)
    step, done = FLOOR_STEPS[action]
    with refused(request=request) as refusal:
        step(actor=request.user, motion=motion)
    if not refusal:
        messages.success(request, done)
    return redirect("motion_detail", motion.pk)


# ---------------------------------------------------------------------------
# The motion page
# ---------------------------------------------------------------------------


@dataclass
class AmendmentView:
    """An amendment with its diff against the text it will find when it is voted."""

    amendment: Amendment
    diff: list[Piece]
    steps: list[workflow.Step]
    supported: bool
    share_link: str = ""  # for its proposer, while it is a draft


def _amendment_views(request, motion: Motion, amendments: list[Amendment], my_supports) -> list:
    text = motion.text
    member_id = roles_for(request.user).member_id
    views = []
    for amendment in amendments:
        amendment.motion = motion
        if amendment.kind == Amendment.Kind.REPLACE_TEXT:
            diff = word_diff(text, amendment.text)
        else:
            parts = texts.paragraphs(text)
            before = parts[amendment.paragraph - 1] if amendment.paragraph <= len(parts) else ""
            diff = word_diff(before, amendment.text)
        views.append(
            AmendmentView(
                amendment,
                diff,
                services.next_steps(request.user, amendment),
                amendment.pk in my_supports,
                share_url(request, amendment)
                if amendment.status == Amendment.Status.DRAFT and amendment.proposer_id == member_id
                else "",
            )
        )
        if amendment.status == Amendment.Status.ADOPTED:
            # A paragraph gone since tabling cannot be voted (the service refuses it).
            with contextlib.suppress(texts.MergeError):
                text = texts.apply_change(text, services.as_change(amendment))
    return views


def _detail_context(request, motion: Motion) -> dict:
    roles = roles_for(request.user)
    versions = list(motion.versions.only("number", "created_at", "motion_id"))
    supports = list(Support.objects.filter(motion=motion).select_related("member"))
    my_supports = (
        set(
            Support.objects.filter(amendment__motion=motion, member_id=roles.member_id).values_list(
                "amendment_id", flat=True
            )
        )
        if roles.member_id
        else set()
    )
    # A draft amendment is shown to its proposer, its co-sponsors and those given its link.
    shared = set(request.session.get(access.SESSION_KEY, []))
    amendments = [
        a
        for a in motion.amendments.with_people()
        if a.status != Amendment.Status.DRAFT
        or a.proposer_id == roles.member_id
        or a.pk in my_supports
        or f"amendment:{a.pk}" in shared
    ]
    adopted = [a for a in amendments if a.status == Amendment.Status.ADOPTED]
    statute_diff, statute_error = None, ""
    if motion.is_statute_amendment:
        try:
            _version, current, proposed = services.proposed_statutes(motion)
            statute_diff = [c for c in diff_articles(current, proposed) if c.status != "unchanged"]
        except DomainError as error:
            # The statutes changed since drafting: say so rather than show a wrong diff.
            statute_error = error.message
    submission = getattr(motion, "ic_submission", None)
    steps = services.next_steps(request.user, motion)
    step_names = {s.name for s in steps}
    return {
        "motion": motion,
        "versions": versions,
        "supports": supports,
        "share_link": share_url(request, motion)
        if motion.status == Motion.Status.DRAFT and motion.proposer_id == roles.member_id
        else "",
        "supported": any(s.member_id == roles.member_id for s in supports),
        "may_support": motion.status == Motion.Status.DRAFT
        and roles.may_write
        and roles.member_id not in (None, motion.proposer_id),
        "steps": [s for s in steps if s.name in workflow.SIMPLE_STEPS and s.name != "submit"],
        "may_submit": "submit" in step_names,
        "may_edit": "submit" in step_names,
        "may_schedule": "schedule" in step_names,
        "may_refer": "refer" in step_names,
        "may_vote": "put_to_vote" in step_names,
        "may_forward": "forward" in step_names,
        "may_record_ic": bool(step_names & {"ic_adopted", "ic_rejected", "ic_withdrawn"}),
        "floor": services.floor_request(request.user, motion),
        "may_manage_speakers": motion.agenda_position is not None
        and motion.status in services.DEBATED
        and services.may_take(request.user, motion, "speakers"),
        "may_follow_up": submission is not None
        and services.may_take(request.user, motion, "follow_up"),
        "may_amend": roles.may_write
        and roles.member_id is not None
        and motion.status
        in (Motion.Status.SUBMITTED, Motion.Status.ADMISSIBLE, Motion.Status.SCHEDULED),
        "deadlines": [
            d
            for d in (
                services.deadline_for(motion, "motion"),
                services.deadline_for(motion, "amendment"),
            )
            if d
        ],
        "amendments": _amendment_views(request, motion, amendments, my_supports),
        "final_text": services.final_text(motion)
        if adopted and not motion.final_text
        else motion.final_text,
        "final_diff": word_diff(motion.text, motion.final_text) if motion.final_text else None,
        "statute_diff": statute_diff,
        "statute_error": statute_error,
        "paragraphs": texts.paragraphs(motion.text),
        "member_id": roles.member_id,
        "may_take_part": roles.may_write and roles.member_id is not None,
        "submission": submission,
        "follow_ups": list(submission.follow_ups.all()) if submission else [],
        "compare_form": CompareForm(initial={"a": 1, "b": len(versions)}),
        "reason_form": ReasonForm(),
        "refer_form": ReferForm(),
        "vote_form": VoteForm(),
        "amendment_form": AmendmentForm(),
        "forward_form": ForwardForm(initial={"forwarded_on": timezone.localdate()}),
        "outcome_form": ICOutcomeForm(),
        "follow_up_form": FollowUpForm(initial={"noted_on": timezone.localdate()}),
        "today": timezone.localdate(),
    }


@reader
@require_GET
def motion_detail(request, pk: int):
    return _render_detail(request, _motion_for(request, pk))


def _render_detail(request, motion: Motion, **invalid_forms):
    """The motion page; with a bound form that failed, that form shows its errors (400)."""
    context = {**_detail_context(request, motion), **invalid_forms}
    status = 400 if invalid_forms else 200
    return render(request, "motions/motion_detail.html", context, status=status)


@reader
@require_GET
def motion_compare(request, pk: int):
    """Any two versions compared word by word (the page, or its diff fragment for htmx)."""
    motion = _motion_for(request, pk)
    form = CompareForm(request.GET)
    versions = {v.number: v for v in motion.versions.all()}
    context = {"motion": motion, "compare_form": form, "versions": list(versions.values())}
    if form.is_valid():
        a, b = versions.get(form.cleaned_data["a"]), versions.get(form.cleaned_data["b"])
        if a is None or b is None:
            form.add_error(None, _("There is no such version."))
        else:
            context.update(
                {
                    "a": a,
                    "b": b,
                    "title_diff": word_diff(a.title, b.title),
                    "text_diff": word_diff(a.text, b.text),
                }
            )
    template = "motions/motion_compare.html"
    if request.htmx:
        template += "#diff"
    return render(request, template, context, status=200 if "text_diff" in context else 400)


# ---------------------------------------------------------------------------
# Actions on a motion
# ---------------------------------------------------------------------------


def _done(request, motion: Motion, message: str):
    messages.success(request, message)
    return redirect("motion_detail", motion.pk)


#: The motion's steps with a button on its page (the others have forms of their own), and
#: the message after each (the step's label when none).
PAGE_STEPS = {
    "submit": gettext_lazy("Submitted as %(reference)s."),
    "schedule": gettext_lazy("Put on the agenda."),
    **dict.fromkeys(workflow.SIMPLE_STEPS, None),
}


@writer
@require_POST
def motion_action(request, pk: int, action: str):
    """The steps with a button: submit, support, withdraw support, and the simple steps."""
    motion = _motion_for(request, pk)
    step = workflow.MOTION.steps.get(action) if action in PAGE_STEPS else None
    with refused(request=request) as refusal:
        if action == "support":
            services.support(actor=request.user, item=motion)
            message = _("You co-sponsor this motion.")
        elif action == "unsupport":
            services.withdraw_support(actor=request.user, item=motion)
            message = _("Your support is withdrawn.")
        elif step is not None:
            form = ReasonForm(request.POST)
            form.is_valid()
            reason = form.cleaned_data.get("reason", "")
            lifecycle.call(step, motion, request.user, reason=reason)
            motion.refresh_from_db()
            message = str(PAGE_STEPS[action] or step.label) % {"reference": motion.reference}
        else:
            raise Http404(_("Unknown step."))
    if refusal:
        return redirect("motion_detail", motion.pk)
    return _done(request, motion, message)


def _ensure_may_take(request, item, *steps: str) -> None:
    """403 before the form is read if the user may take none of the steps on the item."""
    with role_checked():
        services.ensure_may_take(request.user, item, *steps)


def _post_form(request, pk: int, steps, form_class, form_name: str, write, done: str):
    """Check the role for the steps, parse the form, call the service with its data; the page
    with the form's errors if refused."""
    motion = _motion_for(request, pk)
    _ensure_may_take(request, motion, *steps)
    form = form_class(request.POST)
    if form.is_valid():
        with refused(form=form) as refusal:
            write(actor=request.user, motion=motion, **form.cleaned_data)
        if not refusal:
            return _done(request, motion, done)
    return _render_detail(request, motion, **{form_name: form})


@writer
@require_POST
def motion_refer(request, pk: int):
    return _post_form(
        request,
        pk,
        ["refer"],
        ReferForm,
        "refer_form",
        services.refer_motion,
        _("Referred to another body."),
    )


@writer
@require_POST
def motion_vote(request, pk: int):
    """The chair puts the motion (or, with ``amendment``, one of its amendments) to the vote."""
    motion = _motion_for(request, pk)
    amendment = None
    if raw := request.POST.get("amendment", ""):
        # Only digits reach the query: "abc" would make the database raise.
        amendment = get_object_or_404(motion.amendments, pk=int(raw) if raw.isdigit() else 0)
        amendment.motion = motion
    _ensure_may_take(request, amendment or motion, "put_to_vote")
    form = VoteForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with refused(form=form) as refusal:
            if amendment is not None:
                ballot = services.put_amendment_to_vote(
                    actor=request.user,
                    amendment=amendment,
                    mode=data["mode"],
                    closes_at=data["closes_at"],
                )
            else:
                ballot = services.put_motion_to_vote(
                    actor=request.user,
                    motion=motion,
                    mode=data["mode"],
                    closes_at=data["closes_at"],
                )
        if not refusal:
            messages.success(request, _("The vote is open."))
            return redirect("ballot_console", ballot.pk)
    return _render_detail(request, motion, vote_form=form)


@writer
@require_POST
def amendment_create(request, pk: int):
    motion = _motion_for(request, pk)
    form = AmendmentForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with refused(form=form) as refusal:
            services.create_amendment(
                actor=request.user,
                motion=motion,
                kind=data["kind"],
                paragraph=data["paragraph"]
                if data["kind"] == Amendment.Kind.REPLACE_PARAGRAPH
                else None,
                text=data["text"],
                rationale=data["rationale"],
            )
        if not refusal:
            return _done(
                request, motion, _("Amendment drafted: gather its co-sponsors, then submit it.")
            )
    return _render_detail(request, motion, amendment_form=form)


AMENDMENT_PAGE_STEPS = ("submit", *workflow.SIMPLE_STEPS)


@writer
@require_POST
def amendment_action(request, pk: int, action: str):
    amendment = get_object_or_404(Amendment.objects.select_related("motion", "motion__body"), pk=pk)
    motion = _motion_for(request, amendment.motion_id)
    if not access.may_read(request.user, amendment, request=request):
        raise Http404(_("There is no such amendment."))
    step = workflow.AMENDMENT.steps.get(action) if action in AMENDMENT_PAGE_STEPS else None
    with refused(request=request) as refusal:
        if action == "support":
            services.support(actor=request.user, item=amendment)
        elif action == "unsupport":
            services.withdraw_support(actor=request.user, item=amendment)
        elif step is not None:
            form = ReasonForm(request.POST)
            form.is_valid()
            reason = form.cleaned_data.get("reason", "")
            lifecycle.call(step, amendment, request.user, reason=reason)
        else:
            raise Http404(_("Unknown step."))
    if refusal:
        return redirect("motion_detail", motion.pk)
    return _done(request, motion, _("Amendment updated."))


# ---------------------------------------------------------------------------
# The International Council
# ---------------------------------------------------------------------------


@writer
@require_POST
def motion_forward(request, pk: int):
    return _post_form(
        request,
        pk,
        ["forward"],
        ForwardForm,
        "forward_form",
        services.forward_to_ic,
        _("Forwarded to the International Council."),
    )


@writer
@require_POST
def motion_ic_outcome(request, pk: int):
    return _post_form(
        request,
        pk,
        list(services.IC_STEPS.values()),
        ICOutcomeForm,
        "outcome_form",
        services.record_ic_outcome,
        _("The IC's outcome is recorded."),
    )


@writer
@require_POST
def motion_follow_up(request, pk: int):
    return _post_form(
        request,
        pk,
        ["follow_up"],
        FollowUpForm,
        "follow_up_form",
        services.add_follow_up,
        _("Follow-up note added."),
    )


# ---------------------------------------------------------------------------
# The IC delegates' voting mandates
# ---------------------------------------------------------------------------


def _board_of(user) -> Body | None:
    """The Board the user sits on, if any: it decides the delegates' mandates."""
    roles = roles_for(user)
    return Body.objects.filter(pk__in=roles.officer_body_ids, kind=Body.Kind.BOARD).first()


@reader
def voting_mandates(request):
    """How the section's IC delegates vote on other sections' motions, as decided by the Board."""
    board = _board_of(request.user) if roles_for(request.user).may_write else None
    form = VotingMandateForm(request.POST or None) if board else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Only officers of the Board decide the voting mandates."))
        if form.is_valid():
            data = form.cleaned_data
            rule = rule_for("majority", body=board)
            with refused(form=form) as refusal:
                if rule is None:
                    raise DomainError(_("The statutes in force set no majority for the Board."))
                mandate = services.propose_voting_mandate(
                    actor=request.user, board=board, article=rule.article, **data
                )
            if not refusal:
                messages.success(request, _("The Board's roll call is open."))
                return redirect("ballot_detail", mandate.ballot_id)
    mandates = VotingMandate.objects.select_related("ballot", "ballot__decision")
    return render(
        request,
        "motions/voting_mandates.html",
        {"mandates": mandates, "form": form},
        status=400 if form is not None and form.errors else 200,
    )
