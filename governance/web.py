"""What every app's pages share: the login-and-role gate of a view, domain refusals, lifecycle steps.

A service refuses with a `DomainError`; a page turns it into the answer a person can act
on with `refused`: a 403 when a role is missing (`NotAllowed`), otherwise the message on
the form's field at fault (or on the form as a whole), or as a message on the next page.
The API does the same in `governance.api.errors.exception_handler`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from governance import lifecycle
from governance.exceptions import DomainError, NotAllowed


def role_required(predicate):
    """Log in first; then the predicate on the user decides (403 otherwise)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied(_("Your role does not give access to this page."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class Refusal:
    """What `refused` caught: false when the write went through, else the service's error."""

    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def message(self) -> str:
        return self.error.message if self.error is not None else ""


def add_form_error(form, error: DomainError, fields: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the field it names, or on the form as a whole.

    `fields` maps a service's field name to the form's; an index or attribute after the
    name (`statute_changes[2].text`) points into that field.
    """
    field = (fields or {}).get(error.field, error.field)
    field = (field or "").split("[")[0].split(".")[0]
    form.add_error(field if field in form.fields else None, error.message)


@contextmanager
def role_checked() -> Iterator[None]:
    """A role checked before the input is read: its refusal (`NotAllowed`) is a 403."""
    try:
        yield
    except NotAllowed as error:
        raise PermissionDenied(error.message) from error


@contextmanager
def refused(*, form=None, request=None, fields: dict[str, str] | None = None) -> Iterator[Refusal]:
    """Run a service call; a refusal for a missing role is a 403, any other is told.

    With `form`, the message goes on the form (see `add_form_error`); with `request`, into
    the messages shown on the next page; with neither, the caller reads `Refusal.message`.
    The `Refusal` it yields is true once the service refused::

        with refused(form=form) as refusal:
            ballot = services.create_ballot(actor=request.user, **form.cleaned_data)
        if not refusal:
            return redirect("ballot_detail", ballot.pk)
    """
    refusal = Refusal()
    try:
        with role_checked():
            yield refusal
    except DomainError as error:
        refusal.error = error
        if form is not None:
            add_form_error(form, error, fields)
        elif request is not None:
            messages.error(request, error.message)


def take_step(request, step: lifecycle.Step, obj, **args) -> bool:
    """Take a lifecycle step for the page's user, through `lifecycle.take`: the step's `done`
    message, or the refusal (see `refused`), as a message on the next page. True when the
    step was taken."""
    with refused(request=request) as refusal:
        lifecycle.take(step, obj, request.user, **args)
    if refusal:
        return False
    messages.success(request, step.done)
    return True
