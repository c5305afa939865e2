"""The organisation: units and bodies."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from governance.audit import log as audit
from governance.audit.log import model_values
from governance.exceptions import DomainError
from governance.models import (
    Body,
    OrganisationUnit,
)
from governance.services.common import _ensure_system_or_staff


def create_unit(
    *,
    actor,
    code: str,
    name: str,
    kind: str,
    parent: OrganisationUnit | None = None,
    city: str = "",
) -> OrganisationUnit:
    """Staff (or the platform) add a unit to the organisation tree."""
    _ensure_system_or_staff(actor)
    with transaction.atomic():
        if OrganisationUnit.objects.filter(code=code).exists():
            raise DomainError(
                _("A unit with the code %(code)s already exists.") % {"code": code}, field="code"
            )
        unit = OrganisationUnit.objects.create(
            code=code, name=name, kind=kind, parent=parent, city=city
        )
        audit.record(actor, "unit.created", unit, new=model_values(unit))
    return unit


def create_body(
    *,
    actor,
    unit: OrganisationUnit,
    code: str,
    name: str,
    kind: str,
    seats: int = 0,
    reserved_youth_seats: int = 0,
) -> Body:
    """Staff (or the platform) set up a statutory body of a unit."""
    _ensure_system_or_staff(actor)
    if reserved_youth_seats > seats:
        raise DomainError(
            _("A body cannot reserve more seats than it has."), field="reserved_youth_seats"
        )
    with transaction.atomic():
        if Body.objects.filter(code=code).exists():
            raise DomainError(
                _("A body with the code %(code)s already exists.") % {"code": code}, field="code"
            )
        body = Body.objects.create(
            unit=unit,
            code=code,
            name=name,
            kind=kind,
            seats=seats,
            reserved_youth_seats=reserved_youth_seats,
        )
        audit.record(actor, "body.created", body, new=model_values(body))
    return body
