"""Reads of the voting engine, named by intention, with their joins inside."""

from __future__ import annotations

import uuid

from django.apps import apps
from django.db import connections, models
from django.db.models import BooleanField, Count, Exists, OuterRef, Q, Value

from elections import access


class BallotQuerySet(models.QuerySet):
    def with_context(self):
        return self.select_related(
            "body",
            "body__unit",
            "article",
            "article__version",
            "assembly",
            "decision",
            "box",
            "box__trustees_article",
            "box__trustees_article__version",
        )

    def visible_to(self, user):
        """The ballots `user` may read (the rule is in elections/access.py)."""
        return self.filter(access.visibility(user))

    def with_member_flags(self, member_id: int | None):
        """`on_roll` and `has_voted` for one membership (False without one), one query in all."""
        if member_id is None:
            return self.annotate(
                on_roll=Value(False, output_field=BooleanField()),
                has_voted=Value(False, output_field=BooleanField()),
            )
        RollEntry = apps.get_model("elections", "RollEntry")
        Participation = apps.get_model("elections", "Participation")
        return self.annotate(
            on_roll=Exists(RollEntry.objects.filter(ballot=OuterRef("pk"), member_id=member_id)),
            has_voted=Exists(
                Participation.objects.filter(ballot=OuterRef("pk"), member_id=member_id)
            ),
        )

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


class CandidateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Candidates of the ballots `user` may read (elections/access.py)."""
        return self.filter(access.visibility(user, via="ballot__"))


class ProxyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Proxies on the ballots `user` may read (elections/access.py)."""
        return self.filter(access.visibility(user, via="ballot__"))

    def live(self):
        return self.filter(status="active")

    def carried_by(self, member):
        return self.live().filter(holder=member).select_related("giver", "ballot")


class ParticipationManager(models.Manager):
    def take_part(self, *, ballot_id: int, member_id: int, by_proxy: bool, salt: str = "") -> bool:
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
            quote(field(name).column) for name in ("id", "ballot", "member", "by_proxy", "salt")
        )
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES (%s, %s, %s, %s, %s) "
            f"ON CONFLICT ({quote(field('ballot').column)}, {quote(field('member').column)}) "
            "DO NOTHING"
        )
        key = model._meta.pk.get_db_prep_value(uuid.uuid4(), connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, ballot_id, member_id, by_proxy, salt])
            return cursor.rowcount == 1


class PaperCountQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Paper counts of the ballots `user` may read (elections/access.py)."""
        return self.filter(access.visibility(user, via="ballot__"))

    def confirmed(self):
        """Batches a second teller confirmed: the ones in the count."""
        return self.filter(status="confirmed")

    def pending(self):
        """Batches awaiting a second teller."""
        return self.filter(status="pending")

    def live(self):
        """Batches that count or may still count (not withdrawn, not rejected)."""
        return self.filter(status__in=["pending", "confirmed"])


class TrusteeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The trusteeships `user` holds (elections/access.py)."""
        return self.filter(access.trusteeship_visibility(user))

    def with_context(self):
        return self.select_related("box", "box__ballot", "box__ballot__body")
