"""Names translated by the officers of the body they belong to."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from governance.audit import log as audit
from governance.exceptions import DomainError
from governance.models import (
    Article,
    Assembly,
    Body,
    OrganisationUnit,
)
from governance.permissions import (
    ensure_may_act_for_body,
    ensure_staff,
)

TRANSLATION_MAX_LENGTH = {"name": 200, "title": 200, "agenda": 5000}


def translating_body(obj: OrganisationUnit | Body | Article | Assembly) -> Body | None:
    """The body whose officers may translate ``obj``'s names (staff always may): the body
    itself, an assembly's body, a unit's board, and the section's board for the statutes."""
    if isinstance(obj, Body):
        return obj
    if isinstance(obj, Assembly):
        return obj.body
    boards = Body.objects.filter(kind=Body.Kind.BOARD)
    if isinstance(obj, OrganisationUnit):
        return boards.filter(unit=obj).first()
    return boards.filter(unit__kind=OrganisationUnit.Kind.SECTION).order_by("pk").first()


def translate_names(
    *,
    actor,
    obj: OrganisationUnit | Body | Article | Assembly,
    language: str,
    values: dict[str, str],
) -> OrganisationUnit | Body | Article | Assembly:
    """Officers of the translating body (or staff) set the names of ``obj`` in ``language``.

    ``values`` maps translatable fields to their translation; an empty value removes it, so
    the original shows again. The original itself is never changed here. One audit event with
    the old and new translations of that language.
    """
    body = translating_body(obj)
    if body is None:
        ensure_staff(actor)
    else:
        ensure_may_act_for_body(actor, body)
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unknown language: %(code)s.") % {"code": language}, field="language")
    unknown = set(values) - set(obj.translatable_fields)
    if unknown:
        raise DomainError(
            _("These names cannot be translated: %(fields)s.")
            % {"fields": ", ".join(sorted(unknown))}
        )
    cleaned = {}
    for name, value in values.items():
        value = (value or "").strip()
        if len(value) > TRANSLATION_MAX_LENGTH.get(name, 200):
            raise DomainError(
                _("At most %(limit)s characters.")
                % {"limit": TRANSLATION_MAX_LENGTH.get(name, 200)},
                field=name,
            )
        cleaned[name] = value
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        translations = dict(obj.translations or {})
        old = dict(translations.get(language) or {})
        new = {**old, **cleaned}
        new = {name: value for name, value in new.items() if value}
        if new == old:
            return obj
        if new:
            translations[language] = new
        else:
            translations.pop(language, None)
        obj.translations = translations
        obj.save(update_fields=["translations"])
        audit.record(actor, "names.translated", obj, old={language: old}, new={language: new})
    return obj
