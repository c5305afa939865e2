"""Reads over statute versions: the diff between two versions, article by article."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from governance.models import StatuteVersion
from governance.textdiff import Piece, word_diff


@dataclass
class ArticleChange:
    number: str
    status: str  # "added", "removed", "changed", "unchanged"
    old: Any  # an Article, or an ArticleSpec of a proposed version; None when added
    new: Any  # likewise; None when removed
    title_diff: list[Piece] = field(default_factory=list)
    text_diff: list[Piece] = field(default_factory=list)
    rules_changed: bool = False


def _rules_of(article) -> list[tuple]:
    """The article's rules as sortable tuples, for a saved Article or an ArticleSpec alike."""
    if article is None:
        return []
    rules = article.rules.all() if hasattr(article.rules, "all") else article.rules
    return sorted((r.kind, r.scope, repr(sorted(r.params.items()))) for r in rules)


def diff_versions(old: StatuteVersion, new: StatuteVersion) -> list[ArticleChange]:
    """Every article of either version, in the new version's order, with its word diff."""
    return diff_articles(
        old.articles.prefetch_related("rules"), new.articles.prefetch_related("rules")
    )


def diff_articles(old: Iterable, new: Iterable) -> list[ArticleChange]:
    """The diff of two lists of articles (saved `Article`s or `ArticleSpec`s of a proposal)."""
    old_articles = {a.number: a for a in old}
    new_articles = {a.number: a for a in new}
    changes = []
    for number, article in new_articles.items():
        before = old_articles.get(number)
        if before is None:
            changes.append(
                ArticleChange(
                    number, "added", None, article, text_diff=[Piece("added", article.text)]
                )
            )
            continue
        rules_changed = _rules_of(before) != _rules_of(article)
        same = before.title == article.title and before.text == article.text and not rules_changed
        changes.append(
            ArticleChange(
                number,
                "unchanged" if same else "changed",
                before,
                article,
                title_diff=word_diff(before.title, article.title),
                text_diff=word_diff(before.text, article.text),
                rules_changed=rules_changed,
            )
        )
    for number, article in old_articles.items():
        if number not in new_articles:
            changes.append(
                ArticleChange(
                    number, "removed", article, None, text_diff=[Piece("removed", article.text)]
                )
            )
    return changes
