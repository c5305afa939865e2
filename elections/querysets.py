"""Reads of the voting engine, named by intention, with their joins inside."""

from __future__ import annotations

import uuid

from django.apps import apps
from django.db import connections, models
from django.db.models import Count, Exists, OuterRef, Q


class BallotQuerySet(models.QuerySet):
    def with_context(self):
        return self.select_related(
            "body", "body__unit", "article", "article__version", "assembly", "decision", "box"
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


class ParticipationManager(models.Manager):
    def take_part(self, *, ballot_id: int, member_id: int, by_proxy: bool) -> bool:
        """Record that the member took part in the ballot; False if they already had.

        One statement, `INSERT ... ON CONFLICT DO NOTHING` on the unique constraint
        (ballot, member) (PostgreSQL and SQLite alike): no savepoint around a create that
        may fail, two round trips fewer on every vote. The constraint decides, whatever
        lock the caller holds.
        """
        model = self.model
        connection = connections[self.db]
        field = model._meta.get_field
        quote = connection.ops.quote_name
        columns = ", ".join(
            quote(field(name).column) for name in ("id", "ballot", "member", "by_proxy")
        )
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT ({quote(field('ballot').column)}, {quote(field('member').column)}) "
            "DO NOTHING"
        )
        key = model._meta.pk.get_db_prep_value(uuid.uuid4(), connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, ballot_id, member_id, by_proxy])
            return cursor.rowcount == 1


class PaperCountQuerySet(models.QuerySet):
    def confirmed(self):
        """Batches a second teller confirmed: the ones in the count."""
        return self.filter(status="confirmed")

    def pending(self):
        """Batches awaiting a second teller."""
        return self.filter(status="pending")

    def live(self):
        """Batches that count or may still count (not withdrawn, not rejected)."""
        return self.filter(status__in=["pending", "confirmed"])
