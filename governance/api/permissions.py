"""REST API permissions by role."""

from rest_framework import permissions

from governance.permissions import may_read_audit, may_read_roll, roles_for


class IsMemberOrPrivileged(permissions.BasePermission):
    """Members, officers, auditors and staff read the governance record; writes go via services."""

    def has_permission(self, request, view) -> bool:
        roles = roles_for(request.user)
        return roles.authenticated and (roles.member or roles.privileged)


class MayReadAudit(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return may_read_audit(request.user)


class MayReadRoll(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return may_read_roll(request.user)
