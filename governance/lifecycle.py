"""Lifecycles as data: per kind of object, its steps, the states they join, who may take them.

A `Lifecycle` is the table of one kind of object (a ballot, an assembly, a motion, an
amendment): each `Step` names the states it leaves, the state it reaches, the roles that
may take it (checked by the table's `ensure_role`, which calls `governance.permissions`
or the app's own role function), the audit event it writes and the work it does.

`take(step, obj, actor, **args)` is the one way a person's step is taken: the role is
checked, then, in one transaction, the row is locked (`select_for_update`; a step whose
work needs other rows locked first names its own `lock`, e.g. the motion before its
amendment), its state and its `guard` checked, the step's work run, the row saved with its new status and
the audit event appended. `move` is the same check, save and audit event for a row the
caller already holds locked inside its own transaction (the count moving the motion it
decided, inside `count_ballot`).

`officer_lifecycle` builds the tables whose every step is taken by the officers of the
object's body (or of its unit's board) or staff: the ballot's and the assembly's.

Governance is the lowest layer, so the tables of the apps above live with their services
(`elections.services.BALLOT`, `motions.workflow.MOTION` ...) and register here when they
are built; `render_markdown` draws each registered table for docs/architecture.md
(`manage.py lifecycle_docs`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.audit import log as audit
from governance.exceptions import DomainError, NotAllowed

#: The role of a step that the platform takes itself (the count of a vote), never a person.
SYSTEM = "system"


@dataclass(frozen=True)
class Step:
    """One allowed transition of a lifecycle.

    `work(obj, actor, **args)` runs on the locked row after the state and role checks; it
    makes the step's own checks and changes and returns the audit event's extra payload
    (or None). `lock(obj)` replaces the table's lock for a step that must lock other rows
    with the object (in a fixed order) and returns the locked object. `fields` are the
    columns it changes besides the status. `then(obj, actor, **args)` runs after the
    audit event (signals, tasks on commit). `work`, `lock` and `then` may be given as dotted
    paths, resolved when the step is taken (a table lives below its app's services).
    `service` names the public service a page or the API calls for the step (`call`
    dispatches to it, with the step's `inputs`); it takes the step through `take` too.
    `does` says in a few words what the work does, for docs/architecture.md (the first
    line of the work's docstring when not given). `confirm` is the question a page asks
    before a step that cannot be undone; `done` the message after. `guard(obj)` says in
    words why the object, in the right state, cannot take the step yet ("" when nothing
    stands in the way: a secret ballot's count waits for its tally); `take` and `check`
    refuse with it, and a page asks it (`hindrance`) to disable the step's button with
    the same sentence.
    """

    name: str
    label: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    event: str = ""
    work: Callable[..., dict | None] | str | None = None
    then: Callable[..., None] | str | None = None
    lock: Callable[[Any], Any] | str | None = None
    guard: Callable[[Any], str] | str | None = None
    fields: tuple[str, ...] = ()
    needs_reason: bool = False
    reason_prompt: str = ""
    confirm: str = ""
    done: str = ""
    kinds: frozenset[str] | None = None  # kinds of object the step applies to; None: all
    service: str = ""  # the dotted path of the step's own service, when `take` is not enough
    inputs: tuple[str, ...] = ()  # what a page or the API passes to the step
    does: str = ""  # what the work does, in a few words (docs/architecture.md)
    table: str = ""

    def applies_to(self, kind: str | None) -> bool:
        return self.kinds is None or kind in self.kinds


def step(name, label, sources, target, roles, **options) -> Step:
    """A step, with its states and roles given as any iterables."""
    kinds = options.pop("kinds", None)
    return Step(
        name,
        label,
        frozenset(sources),
        target,
        frozenset(roles),
        kinds=frozenset(kinds) if kinds is not None else None,
        **options,
    )


@dataclass(frozen=True)
class Lifecycle:
    """The table of one kind of object, and how to lock it, check roles and word refusals.

    `ensure_role(actor, obj, step)` raises `NotAllowed` for an actor who may not take the
    step. `refusal(obj, step)` is the `DomainError` for a step the object's state does not
    allow. When
    `reason_field` is set, every step stores its reason there (cleared when none is given).
    """

    name: str
    model: type
    steps: dict[str, Step]
    role_labels: dict[str, Any]
    ensure_role: Callable[[Any, Any, Step], None]
    refusal: Callable[[Any, Step], DomainError]
    lock: Callable[[Any], Any]
    kind_of: Callable[[Any], str | None] = lambda obj: None
    reason_field: str = ""
    reason_always: bool = False
    status_field: str = "status"
    item_name: str = ""  # the keyword its services take the object by; the name by default

    def __post_init__(self) -> None:
        named = {n: dataclasses.replace(s, table=self.name) for n, s in self.steps.items()}
        object.__setattr__(self, "steps", named)
        _REGISTRY[self.name] = self

    def get(self, name: str, obj=None) -> Step:
        """The step called `name` (for `obj`'s kind), or a `DomainError` for an unknown one."""
        found = self.steps.get(name)
        if found is None or (obj is not None and not found.applies_to(self.kind_of(obj))):
            raise DomainError(_("Unknown step."), field="step")
        return found

    def steps_from(self, status: str, kind: str | None = None) -> list[Step]:
        """The steps that leave `status`, in the table's order."""
        return [s for s in self.steps.values() if status in s.sources and s.applies_to(kind)]

    def forward(self, status: str, kind: str | None = None) -> Step | None:
        """The first step that leaves `status` without a reason: a page's main button."""
        return next((s for s in self.steps_from(status, kind) if not s.needs_reason), None)

    def allows(self, status: str, target: str) -> bool:
        return any(status in s.sources and s.target == target for s in self.steps.values())


_REGISTRY: dict[str, Lifecycle] = {}

#: The role of every step of an `officer_lifecycle` (ballots, assemblies).
OFFICERS = "officers"
OFFICER_LABELS = {OFFICERS: gettext_lazy("officers of the body (or of its unit's board), staff")}


def officer_lifecycle(
    *,
    name: str,
    model: type,
    steps: Iterable[Step],
    lock: Callable[[Any], Any],
    refusal: Any,
    refusal_field: str | None = None,
    reason_field: str = "cancel_reason",
) -> Lifecycle:
    """The table of an object whose every step is taken by the officers of its body (or of
    that body's unit's board) or staff (`permissions.ensure_may_act_for_body`).

    `refusal` is the message for a step the object's state does not allow, with
    `%(status)s` (the object's status) and `%(target)s` (the step's), both in lower case;
    `refusal_field` the form field it is shown on.
    """

    def ensure_officer(actor, obj, step: Step) -> None:
        from governance.permissions import ensure_may_act_for_body

        ensure_may_act_for_body(actor, obj.body)

    def refused(obj, step: Step) -> DomainError:
        labels = dict(model._meta.get_field("status").choices)
        return DomainError(
            str(refusal)
            % {
                "status": str(labels[obj.status]).lower(),
                "target": str(labels[step.target]).lower(),
            },
            field=refusal_field,
        )

    return Lifecycle(
        name=name,
        model=model,
        steps={s.name: s for s in steps},
        role_labels=OFFICER_LABELS,
        ensure_role=ensure_officer,
        refusal=refused,
        lock=lock,
        reason_field=reason_field,
    )


def registered() -> list[Lifecycle]:
    """Every lifecycle, by name: the apps build theirs in their `services` modules, which are
    imported here by name (so governance names no app above it)."""
    from django.utils.module_loading import autodiscover_modules

    import governance.assemblies.services  # noqa: F401  (the assembly's table)

    autodiscover_modules("services")
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def _table(step: Step) -> Lifecycle:
    return _REGISTRY[step.table]


def ensure_role(step: Step, obj, actor, *, system: bool = False) -> None:
    """Refuse (`NotAllowed`) an actor who may not take the step (or the count, if `system`)."""
    if system:
        if SYSTEM not in step.roles:
            raise NotAllowed(_("Only the count of a vote takes this step."))
    else:
        _table(step).ensure_role(actor, obj, step)


def ensure_state(step: Step, obj) -> None:
    """Refuse (`DomainError`) a step that the object's state does not allow."""
    table = _table(step)
    if getattr(obj, table.status_field) not in step.sources:
        raise table.refusal(obj, step)


def hindrance(step: Step, obj) -> str:
    """Why `obj` cannot take `step` yet (its `guard`), in words; "" when nothing stands in
    the way. Pages ask it for a step's button; `take` refuses with it."""
    return str(_resolved(step.guard)(obj) or "") if step.guard else ""


def ensure_unguarded(step: Step, obj) -> None:
    """Refuse (`DomainError`) a step its `guard` holds back, with the guard's sentence."""
    reason = hindrance(step, obj)
    if reason:
        raise DomainError(reason)


def check(step: Step, obj, actor, *, system: bool = False) -> None:
    """Refuse a step the actor may not take or the object's state (or guard) does not allow."""
    ensure_role(step, obj, actor, system=system)
    ensure_state(step, obj)
    ensure_unguarded(step, obj)


def _clean_reason(step: Step, reason: str) -> str:
    reason = (reason or "").strip()
    if step.needs_reason and not reason:
        raise DomainError(str(step.reason_prompt or _("Give the reason.")), field="reason")
    return reason


def move(step: Step, obj, actor, *, reason: str = "", system: bool = False, **extra) -> str:
    """Take `step` on a row the caller has locked, inside the caller's transaction.

    Checks the role, the state and the guard, saves the new status (and `update_fields`) and appends
    the audit event with `extra` in its payload. Returns the old status.
    """
    check(step, obj, actor, system=system)
    return _finish(step, obj, actor, _clean_reason(step, reason), extra)


def _finish(step: Step, obj, actor, reason: str, extra: dict) -> str:
    table = _table(step)
    old = getattr(obj, table.status_field)
    setattr(obj, table.status_field, step.target)
    fields = [table.status_field, *step.fields, *extra.pop("update_fields", [])]
    if table.reason_field and (reason or table.reason_always):
        setattr(obj, table.reason_field, reason)
        fields.append(table.reason_field)
    obj.save(update_fields=fields)
    new = {table.status_field: step.target, **({"reason": reason} if reason else {}), **extra}
    audit.record(
        actor, step.event or f"{table.name}.{step.name}", obj, old={"status": old}, new=new
    )
    return old


def take(step: Step, obj, actor, *, reason: str = "", system: bool = False, **args):
    """Take `step` on `obj` for `actor`: the role, then in one transaction the lock, the
    state, the guard, the step's work, the save and the audit event. Returns the locked, saved row."""
    ensure_role(step, obj, actor, system=system)
    reason = _clean_reason(step, reason)
    with transaction.atomic():
        obj = _resolved(step.lock or _table(step).lock)(obj)
        ensure_state(step, obj)
        ensure_unguarded(step, obj)
        if step.needs_reason or reason:
            args["reason"] = reason
        extra = (_resolved(step.work)(obj, actor, **args) if step.work else None) or {}
        _finish(step, obj, actor, reason, dict(extra))
        if step.then:
            _resolved(step.then)(obj, actor, **args)
    return obj


def _resolved(function):
    return import_string(function) if isinstance(function, str) else function


def call(step: Step, obj, actor, **inputs):
    """Take `step` as a page or the API asks: by its own `service` (with the object under
    the table's `item_name`) or else by `take`, passing only the step's `inputs`."""
    args = {name: inputs[name] for name in step.inputs if name in inputs}
    if step.service:
        table = _table(step)
        service = import_string(step.service)
        return service(actor=actor, **{table.item_name or table.name: obj}, **args)
    return take(step, obj, actor, **args)


# ---------------------------------------------------------------------------
# The tables in docs/architecture.md
# ---------------------------------------------------------------------------

DOCS_BEGIN = "<!-- lifecycle tables: begin (manage.py lifecycle_docs) -->"
DOCS_END = "<!-- lifecycle tables: end -->"


def render_markdown(tables: Iterable[Lifecycle] | None = None) -> str:
    """Each lifecycle as a Markdown table: step, from, to, who, work, audit event, confirmed."""
    out: list[str] = []
    for table in registered() if tables is None else tables:
        order = [value for value, _label in table.model._meta.get_field(table.status_field).choices]
        out += [
            f"**{table.name}** (`{table.model.__module__}.{table.model.__name__}`)",
            "",
            "| step | from | to | who may take it | work | audit event | asks first |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        for s in table.steps.values():
            sources = ", ".join(sorted(s.sources, key=order.index))
            work = describe(s)
            roles = ", ".join(str(table.role_labels.get(r, r)) for r in sorted(s.roles))
            kinds = f" ({', '.join(sorted(s.kinds))} only)" if s.kinds is not None else ""
            reason = " + reason" if s.needs_reason else ""
            out.append(
                f"| `{s.name}`{kinds} | {sources} | {s.target} | {roles} | {work} | "
                f"`{s.event or f'{table.name}.{s.name}'}`{reason} | {'yes' if s.confirm else ''} |"
            )
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def describe(step: Step) -> str:
    """What a step does, for a reader: its public service (the name a caller uses), then
    its `does` (or the first line of its work's docstring). Never a private function."""
    does = step.does
    if not does and step.work:
        doc = (_resolved(step.work).__doc__ or "").strip()
        does = " ".join(doc.split(".")[0].split())
    service = f"`{step.service}`" if step.service else ""
    return ": ".join(part for part in (service, does) if part)


def docs_section(text: str) -> str | None:
    """The part of `text` between the markers, or None when they are missing."""
    start, end = text.find(DOCS_BEGIN), text.find(DOCS_END)
    if start < 0 or end < start:
        return None
    return text[start + len(DOCS_BEGIN) : end].strip("\n") + "\n"


def with_docs_section(text: str, rendered: str) -> str:
    """`text` with the part between the markers replaced by `rendered`."""
    start, end = text.find(DOCS_BEGIN), text.find(DOCS_END)
    if start < 0 or end < start:
        raise ValueError("docs/architecture.md lacks the lifecycle markers")
    return text[: start + len(DOCS_BEGIN)] + "\n\n" + rendered + "\n" + text[end:]
