"""REST API permissions by role."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from governance.access import (
    may_act_for_some_body,
    may_read_audit,
    may_read_record,
    may_read_roll,
)
from governance.permissions import roles_for


class IsMemberOrPrivileged(permissions.BasePermission):
    """Members, officers, auditors and staff read the governance record; writes go via services."""

    def has_permission(self, request, view) -> bool:
        return may_read_record(request.user)


class MayWrite(permissions.BasePermission):
    """Refuse auditors before any input is read; the services check every other role."""

    message = _("Auditor accounts can read everything but change nothing.")

    def has_permission(self, request, view) -> bool:
        return roles_for(request.user).may_write


#: What every write operation of the API needs before its input is read.
WRITE_PERMISSIONS = [IsMemberOrPrivileged, MayWrite]


class MayActForSomeBody(permissions.BasePermission):
    """Staff, and officers who may write: who drafts ballots and convenes meetings."""

    def has_permission(self, request, view) -> bool:
        return may_act_for_some_body(request.user)


class MayReadAudit(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return may_read_audit(request.user)


class MayReadRoll(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return may_read_roll(request.user)
