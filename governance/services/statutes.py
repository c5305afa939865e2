"""Statute versions adopted, with their articles and machine-readable rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError
from governance.models import (
    Article,
    Decision,
    Rule,
    StatuteVersion,
)
from governance.permissions import ensure_may_write
from governance.services.common import SYSTEM, _ensure_system_or_staff
from governance.statutes import rules
from governance.statutes.text import rule_error_in_words


@dataclass(frozen=True)
class RuleSpec:
    kind: str
    scope: str
    params: dict


@dataclass(frozen=True)
class ArticleSpec:
    number: str
    title: str
    text: str
    rules: Sequence[RuleSpec] = field(default_factory=tuple)


def adopt_statute_version(
    *,
    actor,
    title: str,
    effective_from: dt.date,
    articles: Sequence[ArticleSpec],
    adopted_by: Decision | None = None,
    note: str = "",
) -> StatuteVersion:
    """Create the next statute version with its articles and rules.

    Called by the platform for the founding statutes and by the statute-amendment
    service once the amendment decision is taken. Every rule is validated first; a
    bad one refuses the whole version.
    """
    if adopted_by is None:
        _ensure_system_or_staff(actor)
    elif actor is not SYSTEM:
        ensure_may_write(actor)
    numbers = [a.number for a in articles]
    if len(set(numbers)) != len(numbers):
        raise DomainError(_("Two articles have the same number."), field="articles")
    for spec in articles:
        for rule in spec.rules:
            try:
                rules.parse_rule(rule.kind, rule.params)
            except rules.RuleError as error:
                raise DomainError(
                    _("Article %(number)s: rule %(kind)s: %(error)s")
                    % {
                        "number": spec.number,
                        "kind": rule.kind,
                        "error": rule_error_in_words(error),
                    },
                    field=f"rules.{error.field}",
                ) from error
    with transaction.atomic():
        last = StatuteVersion.objects.select_for_update().order_by("-number").first()
        if last and effective_from < last.effective_from:
            raise DomainError(
                _("A new version cannot take effect before the version in force (%(date)s).")
                % {"date": last.effective_from},
                field="effective_from",
            )
        version = StatuteVersion.objects.create(
            number=(last.number + 1) if last else 1,
            title=title,
            effective_from=effective_from,
            adopted_by=adopted_by,
            note=note,
        )
        for position, spec in enumerate(articles, start=1):
            article = Article.objects.create(
                version=version,
                number=spec.number,
                position=position,
                title=spec.title,
                text=spec.text,
            )
            Rule.objects.bulk_create(
                [
                    Rule(article=article, kind=r.kind, scope=r.scope, params=r.params)
                    for r in spec.rules
                ]
            )
        audit.record(
            actor,
            "statutes.version_adopted",
            version,
            new={
                **model_values(version),
                "articles": [
                    {
                        "number": a.number,
                        "title": a.title,
                        "text": a.text,
                        "rules": [r.__dict__ for r in a.rules],
                    }
                    for a in articles
                ],
            },
        )
    return version
