"""Reads of the voting engine, named by intention, with their joins inside."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q


class BallotQuerySet(models.QuerySet):
    def with_context(self):
        return self.select_related(
            "body", "body__unit", "article", "article__version", "assembly", "decision"
        )

    def visible(self):
        """Ballots members may see: everything but drafts."""
        return self.exclude(status="draft")

    def for_member(self, member):
        """Ballots whose roll holds the member, annotated with whether they already took part."""
        if member is None:
            return self.none()
        Participation = apps.get_model("elections", "Participation")
        return (
            self.with_context()
            .filter(roll__member=member)
            .annotate(
                has_voted=Exists(
                    Participation.objects.filter(ballot=OuterRef("pk"), member=member)
                ),
            )
        )

    def with_turnout(self):
        """Roll size and participations so far: counts only, never who chose what."""
        return self.annotate(
            roll_size=Count("roll", distinct=True),
            turnout=Count("participations", distinct=True),
        )

    def for_bodies(self, body_ids):
        return self.with_context().filter(Q(body_id__in=body_ids))


class ProxyQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status="active")

    def carried_by(self, member):
        return self.live().filter(holder=member).select_related("giver", "ballot")
