"""The article changes a statute amendment proposes: validated, applied and diffed (no database).

A change is a JSON object, stored with each version of the motion:

- ``{"action": "replace", "number": "10", "title": ..., "text": ..., "rules": [...]}``:
  the article's new title and text; ``rules`` replaces its rules (omit it to keep them);
- ``{"action": "add", "number": "10a", "after": "10", "title": ..., "text": ..., "rules": [...]}``;
- ``{"action": "remove", "number": "16"}``.

A rule is ``{"kind": ..., "scope": ..., "params": {...}}`` as in `governance.statutes.rules`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _

from governance.exceptions import DomainError
from governance.services import ArticleSpec, RuleSpec
from governance.statutes import rules
from governance.statutes.text import rule_error_in_words

ACTIONS = ("replace", "add", "remove")


def _error(index: int, name: str, message: str) -> DomainError:
    return DomainError(
        _("Change %(n)s: %(message)s") % {"n": index + 1, "message": message},
        field=f"statute_changes[{index}].{name}",
    )


def _rules(index: int, raw: Any) -> tuple[RuleSpec, ...]:
    if not isinstance(raw, list):
        raise _error(index, "rules", _("rules must be a list."))
    specs = []
    for rule in raw:
        if not isinstance(rule, dict) or set(rule) != {"kind", "scope", "params"}:
            raise _error(index, "rules", _("each rule has a kind, a scope and params."))
        if not isinstance(rule["scope"], str) or not rule["scope"]:
            raise _error(index, "rules", _("each rule needs a scope."))
        try:
            rules.parse_rule(rule["kind"], rule["params"])
        except rules.RuleError as error:
            raise _error(index, "rules", rule_error_in_words(error)) from error
        specs.append(RuleSpec(rule["kind"], rule["scope"], rule["params"]))
    return tuple(specs)


def _text(index: int, change: dict, name: str) -> str:
    value = change.get(name)
    if not isinstance(value, str) or not value.strip():
        raise _error(index, name, _("give the article's %(name)s.") % {"name": name})
    return value.strip()


def apply_changes(current: Sequence[ArticleSpec], changes: Any) -> list[ArticleSpec]:
    """The articles after the changes, in order; `DomainError` naming the change at fault."""
    if not isinstance(changes, list) or not changes:
        raise DomainError(
            _("A statute amendment must change at least one article."), field="statute_changes"
        )
    articles = list(current)
    for index, change in enumerate(changes):
        if not isinstance(change, dict) or change.get("action") not in ACTIONS:
            raise _error(index, "action", _("the action is replace, add or remove."))
        number = change.get("number")
        if not isinstance(number, str) or not number.strip():
            raise _error(index, "number", _("give the article's number."))
        number = number.strip()
        position = next((i for i, a in enumerate(articles) if a.number == number), None)
        action = change["action"]
        if action == "remove":
            if position is None:
                raise _error(index, "number", _("there is no article %(n)s.") % {"n": number})
            del articles[position]
            continue
        title, text = _text(index, change, "title"), _text(index, change, "text")
        if action == "replace":
            if position is None:
                raise _error(index, "number", _("there is no article %(n)s.") % {"n": number})
            old = articles[position]
            new_rules = _rules(index, change["rules"]) if "rules" in change else tuple(old.rules)
            articles[position] = ArticleSpec(number, title, text, new_rules)
            continue
        if position is not None:
            raise _error(index, "number", _("article %(n)s already exists.") % {"n": number})
        after = change.get("after")
        if after in (None, ""):
            insert_at = len(articles)
        else:
            anchor = next((i for i, a in enumerate(articles) if a.number == after), None)
            if anchor is None:
                raise _error(index, "after", _("there is no article %(n)s.") % {"n": after})
            insert_at = anchor + 1
        articles.insert(
            insert_at, ArticleSpec(number, title, text, _rules(index, change.get("rules", [])))
        )
    return articles


def specs_of(articles: Iterable) -> list[ArticleSpec]:
    """Saved articles (with their rules prefetched) as specs a new version can be built from."""
    return [
        ArticleSpec(
            a.number,
            a.title,
            a.text,
            tuple(RuleSpec(r.kind, r.scope, r.params) for r in a.rules.all()),
        )
        for a in articles
    ]
