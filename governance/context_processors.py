"""Template context: the current user's roles, computed once per request."""

from django.utils.functional import SimpleLazyObject

from governance.permissions import roles_for


def roles(request):
    return {"roles": SimpleLazyObject(lambda: roles_for(request.user))}
