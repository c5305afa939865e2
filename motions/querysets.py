"""Reads over motions and amendments, with what their pages need fetched in the same queries."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce


class MotionQuerySet(models.QuerySet):
    def for_list(self):
        """With each motion's co-sponsors and versions counted in a subquery of its own row:
        PostgreSQL computes them for the page's 25 only, where a GROUP BY over joins to
        every motion's supports and versions grew with the list (its COUNT too)."""
        Support = apps.get_model("motions", "Support")
        MotionVersion = apps.get_model("motions", "MotionVersion")
        supports = (
            Support.objects.filter(motion=OuterRef("pk"))
            .order_by()
            .values("motion")
            .annotate(n=Count("pk"))
            .values("n")
        )
        latest = MotionVersion.objects.filter(motion=OuterRef("pk")).order_by("-number")
        return (
            self.select_related("body", "proposer", "assembly", "current_version")
            .annotate(
                supporter_count=Coalesce(Subquery(supports), 0),
                version_count=Subquery(latest.values("number")[:1]),
            )
            .order_by("-created_at", "-id")
        )

    def for_detail(self):
        return self.select_related(
            "current_version",
            "body",
            "body__unit",
            "proposer",
            "proposer__user",
            "assembly",
            "referred_to",
            "ballot",
            "decision",
            "decision__article",
            "ic_submission",
            "ic_submission__council",
        )

    def listed_for(self, user):
        """Submitted motions, and the user's own drafts (motions/access.py)."""
        from motions import access  # access reads the models, which import this module

        return self.filter(access.listed(user))

    def on_agenda(self):
        """Scheduled motions in agenda order (``assembly.motions.on_agenda()``), amendments fetched."""
        return (
            self.filter(agenda_position__isnull=False)
            .select_related("current_version", "ballot", "decision")
            .prefetch_related("amendments")
            .order_by("agenda_position")
        )

    def search(self, text: str):
        return self.filter(
            Q(reference__icontains=text)
            | Q(versions__title__icontains=text)
            | Q(versions__text__icontains=text)
        ).distinct()


class AmendmentQuerySet(models.QuerySet):
    def with_people(self):
        return self.select_related("proposer", "ballot", "decision").annotate(
            supporter_count=Count("supports")
        )
