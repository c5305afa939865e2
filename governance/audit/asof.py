"""The record "as of" a date: the statutes in force and every body's composition that day.

Derived from the statute versions (the latest in effect on the date) and the mandates
(those running on the date), never from stored snapshots. Five queries whatever the date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch

from governance.models import Article, Body, Rule, StatuteVersion


@dataclass(frozen=True)
class AsOf:
    on: dt.date
    version: StatuteVersion | None
    articles: list[Article]
    bodies: list[Body]  # each with `current_mandates`: the mandates running on the date


def as_of(on: dt.date) -> AsOf:
    version = StatuteVersion.objects.select_related("adopted_by").in_force(on)
    articles = []
    if version is not None:
        articles = list(
            version.articles.prefetch_related(
                Prefetch("rules", queryset=Rule.objects.order_by("kind", "scope"))
            )
        )
    bodies = list(
        Body.objects.with_current_mandates(on).select_related("unit").order_by("unit__name", "name")
    )
    return AsOf(on=on, version=version, articles=articles, bodies=bodies)
