"""Reads: query methods named by intention, with their joins inside so callers never N+1."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Coalesce
from django.utils import timezone


def _today() -> dt.date:
    return timezone.localdate()


class OrganisationUnitQuerySet(models.QuerySet):
    def with_counts(self):
        return self.annotate(
            member_count=models.Count(
                "members", filter=Q(members__kind="member", members__status="active")
            )
        )


class MemberQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The members `user` may read on the roll (governance/access.py)."""
        from governance import access  # access reads roles, whose module imports the models

        return self.filter(access.roll_visibility(user))

    def visible_at_door(self, user, assembly):
        """The members `user` may look up at `assembly`'s door (governance/access.py)."""
        from governance import access

        return self.filter(access.door_visibility(user, assembly))

    def with_standing(self, year: int | None = None):
        """Annotate `paid_current_year` (dues paid for `year`, this year by default)."""
        DuesPayment = apps.get_model("governance", "DuesPayment")
        year = year or _today().year
        return self.annotate(
            paid_current_year=Exists(DuesPayment.objects.filter(member=OuterRef("pk"), year=year))
        )

    def voting_members(self):
        return self.filter(kind="member", status="active")

    def in_good_standing(self, year: int | None = None):
        return self.with_standing(year).filter(paid_current_year=True)

    def for_roll(self):
        return self.select_related("unit", "user").with_standing()

    def search(self, text: str):
        text = text.strip()
        if not text:
            return self
        # Every word must match (a first name and a last name narrow the search, as one
        # expects at the door); the whole text may also be a membership number.
        words = Q()
        for word in text.split():
            words &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
        return self.filter(Q(membership_number__iexact=text) | words)

    def at_door(self, assembly):
        """Annotate what the door of an assembly needs to know about each member.

        `present` (checked in, not out), `checked_in_at`, `has_left` (checked out),
        `gave_proxy` (a live proxy given for the meeting) and `carried_count` (live proxies held).
        """
        Attendance = apps.get_model("governance", "Attendance")
        AssemblyProxy = apps.get_model("governance", "AssemblyProxy")
        attendance = Attendance.objects.filter(assembly=assembly, member=OuterRef("pk"))
        carried = (
            AssemblyProxy.objects.filter(assembly=assembly, holder=OuterRef("pk"), status="active")
            .order_by()
            .values("holder")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            present=Exists(attendance.filter(checked_out_at__isnull=True)),
            has_left=Exists(attendance.filter(checked_out_at__isnull=False)),
            checked_in_at=models.Subquery(attendance.values("checked_in_at")[:1]),
            gave_proxy=Exists(
                AssemblyProxy.objects.filter(
                    assembly=assembly, giver=OuterRef("pk"), status="active"
                )
            ),
            carried_count=Coalesce(models.Subquery(carried, output_field=models.IntegerField()), 0),
        )


class BodyQuerySet(models.QuerySet):
    def with_current_mandates(self, on: dt.date | None = None):
        Mandate = apps.get_model("governance", "Mandate")
        on = on or _today()
        current = (
            Mandate.objects.current(on)
            .select_related("member", "decision")
            .order_by("role", "member__last_name")
        )
        return self.select_related("unit").prefetch_related(
            Prefetch("mandates", queryset=current, to_attr="current_mandates")
        )


class MandateQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None):
        on = on or _today()
        return self.filter(starts_on__lte=on, ends_on__gte=on)

    def held_by_user(self, user, on: dt.date | None = None):
        if not user.is_authenticated:
            return self.none()
        return self.current(on).filter(member__user=user)

    def with_people(self):
        return self.select_related("member", "body", "body__unit", "decision")


class StatuteVersionQuerySet(models.QuerySet):
    def in_force(self, on: dt.date | None = None):
        """The version in force on a date: the latest one effective on or before it."""
        on = on or _today()
        return self.filter(effective_from__lte=on).order_by("-effective_from", "-number").first()


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The decisions `user` may read (governance/access.py)."""
        from governance import access  # access reads roles, whose module imports the models

        return self.filter(access.record_visibility(user))

    def for_register(self):
        return self.select_related(
            "body", "body__unit", "statute_version", "article", "assembly", "supersedes"
        )

    def under_article(self, article):
        return self.filter(article=article)

    def of_meeting(self, assembly):
        """A meeting's decisions as its page lists them: newest first, read off the
        `decision_meeting_order` index, with the few columns the list shows and no join.
        With the register's six joins, PostgreSQL planned from stale statistics (a meeting
        that just got thousands of decisions) joined every one of them before taking 25."""
        return (
            self.filter(assembly=assembly)
            .only("reference", "title", "outcome", "decided_on")
            .order_by("-decided_on", "-id")
        )

    def filter_register(
        self,
        *,
        body=None,
        assembly=None,
        outcome: str | None = None,
        statute_version=None,
        article_number: str | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        text: str | None = None,
    ):
        qs = self
        if body:
            qs = qs.filter(body=body)
        if assembly:
            qs = qs.filter(assembly=assembly)
        if outcome:
            qs = qs.filter(outcome=outcome)
        if statute_version:
            qs = qs.filter(statute_version=statute_version)
        if article_number:
            qs = qs.filter(article__number=article_number)
        if date_from:
            qs = qs.filter(decided_on__gte=date_from)
        if date_to:
            qs = qs.filter(decided_on__lte=date_to)
        if text:
            qs = qs.filter(
                Q(title__icontains=text) | Q(text__icontains=text) | Q(reference__icontains=text)
            )
        return qs


class AuditEventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The audit events `user` may read (governance/access.py)."""
        from governance import access  # access reads roles, whose module imports the models

        return self.filter(access.audit_visibility(user))

    def for_object(self, obj):
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))

    def with_actor(self):
        return self.select_related("actor")


class AssemblyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The meetings `user` may read (governance/access.py)."""
        from governance import access  # access reads roles, whose module imports the models

        return self.filter(access.record_visibility(user))

    def with_context(self):
        return self.select_related("body", "body__unit", "convened_by")

    @staticmethod
    def _still_to_come(now: dt.datetime | None) -> Q:
        """In session, or convened for today or later. Today begins at local midnight: a
        range on `starts_at` itself (its index), not its date in the local time zone
        computed for every meeting."""
        day = timezone.localdate(now or timezone.now())
        midnight = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        return Q(status="in_session") | Q(status="convened", starts_at__gte=midnight)

    def upcoming(self, now: dt.datetime | None = None):
        """Meetings still to be held or under way, the soonest first."""
        return self.filter(self._still_to_come(now)).order_by("starts_at", "pk")

    def past(self, now: dt.datetime | None = None):
        """Meetings closed, cancelled, or whose day has gone by, the latest first."""
        return self.exclude(self._still_to_come(now)).order_by("-starts_at", "-pk")


class AttendanceQuerySet(models.QuerySet):
    def present(self):
        """Checked in and not checked out."""
        return self.filter(checked_out_at__isnull=True)

    def with_members(self):
        return self.select_related("member", "checked_in_by").order_by(
            "member__last_name", "member__first_name", "member__membership_number"
        )


class AssemblyProxyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The meeting proxies `user` may see (governance/access.py)."""
        from governance import access  # access reads roles, whose module imports the models

        return self.filter(access.assembly_proxy_visibility(user))

    def live(self):
        return self.filter(status="active")

    def represented(self):
        """Live proxies whose holder is present: the votes carried into the room."""
        Attendance = apps.get_model("governance", "Attendance")
        return self.live().filter(
            Exists(
                Attendance.objects.filter(
                    assembly=OuterRef("assembly"),
                    member=OuterRef("holder"),
                    checked_out_at__isnull=True,
                )
            )
        )

    def with_members(self):
        return self.select_related("giver", "holder").order_by(
            "giver__last_name", "giver__first_name", "giver__membership_number"
        )
