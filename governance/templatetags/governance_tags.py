"""Template helpers: rules and rule outcomes in plain words, word diffs as <del>/<ins>."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from governance.statutes.text import describe_outcome, describe_rule, scope_in_words

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
def audit_action(code: str) -> str:
    """An audit action in words, with its code beside it (the code is what the export, the
    API and the log's filter use): `governance.audit.actions`."""
    from governance.audit import actions

    label = actions.label(code)
    if label == code:
        return format_html('<code dir="ltr">{}</code>', code)
    return format_html('{} <code dir="ltr" class="action-code">{}</code>', label, code)


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


@register.filter(name="scope_in_words")
def scope_in_words_filter(scope: str) -> str:
    """A rule's scope in words, in the active language."""
    return scope_in_words(scope)


@register.filter
def translated(obj, field: str) -> str:
    """``obj``'s field in the active language, or the original where none was given."""
    if obj is None:
        return ""
    if hasattr(obj, "translated"):
        return obj.translated(field)
    return getattr(obj, field, "")


@register.filter
def bdi(value) -> str:
    """User text isolated for a translated sentence: ``{% blocktranslate with x=v|bdi %}``.

    The value is escaped, then wrapped, so a Latin title keeps its order in an Arabic
    sentence and an Arabic one in a French sentence.
    """
    return format_html('<bdi class="user-text">{}</bdi>', value)


@register.inclusion_tag("governance/_translate_link.html", takes_context=True)
def translate_link(context, obj, kind: str):
    """A link to translate ``obj``'s names, for the officers who may (a query or two)."""
    from governance.translation_views import may_translate

    request = context.get("request")
    allowed = request is not None and may_translate(request.user, obj)
    return {"allowed": allowed, "obj": obj, "kind": kind}


@register.filter
def rule_kind_in_words(kind: str) -> str:
    """A rule's kind (``majority``) by its name in the active language (« majorité »)."""
    from governance.models import Rule

    return str(dict(Rule.Kind.choices).get(kind, kind)).lower()
