"""Template helpers: rules and rule outcomes in plain words, word diffs as <del>/<ins>."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from governance.rule_text import describe_outcome, describe_rule

register = template.Library()


@register.simple_tag
def rule_in_words(rule) -> str:
    """A Rule model or a stored snapshot dict, described in the active language."""
    if isinstance(rule, dict):
        return describe_rule(rule["kind"], rule["params"])
    return describe_rule(rule.kind, rule.params)


@register.simple_tag
def outcome_in_words(outcome) -> str:
    return describe_outcome(outcome) if outcome else ""


@register.simple_tag
def render_diff(pieces):
    tags = {"same": "span", "removed": "del", "added": "ins"}
    html = format_html_join("", "<{0}>{1}</{0}>", ((tags[p.op], p.text) for p in pieces))
    notice = getattr(pieces, "notice", "")
    if notice:
        return format_html('<span class="diff-notice" role="note">{}</span> {}', notice, html)
    return html


@register.filter
def yes_no_badge(value: bool) -> str:
    from django.utils.translation import gettext as _

    if value:
        return format_html('<span class="badge ok">{}</span>', _("met"))
    return format_html('<span class="badge bad">{}</span>', _("not met"))


@register.simple_tag(takes_context=True)
def nav_current(context, url: str) -> str:
    """``aria-current="page"`` on the menu link whose section the request is in."""
    request = context.get("request")
    if request is None:
        return ""
    path = request.path
    current = path == url if url == "/" else path.startswith(url)
    return mark_safe(' aria-current="page"') if current else ""
