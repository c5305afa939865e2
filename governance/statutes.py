"""Reads over statute versions: the diff between two versions, article by article."""

from __future__ import annotations

from dataclasses import dataclass, field

from governance.models import Article, StatuteVersion
from governance.textdiff import Piece, word_diff


@dataclass
class ArticleChange:
    number: str
    status: str  # "added", "removed", "changed", "unchanged"
    old: Article | None
    new: Article | None
    title_diff: list[Piece] = field(default_factory=list)
    text_diff: list[Piece] = field(default_factory=list)
    rules_changed: bool = False


def _rules_of(article: Article | None) -> list[tuple]:
    if article is None:
        return []
    return sorted((r.kind, r.scope, repr(sorted(r.params.items()))) for r in article.rules.all())


def diff_versions(old: StatuteVersion, new: StatuteVersion) -> list[ArticleChange]:
    """Every article of either version, in the new version's order, with its word diff."""
    old_articles = {a.number: a for a in old.articles.prefetch_related("rules")}
    new_articles = {a.number: a for a in new.articles.prefetch_related("rules")}
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
