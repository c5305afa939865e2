"""An auditor account changes nothing: every URL of the project refuses its writes.

The test walks the project's whole URLconf (so pages and API routes added later are covered
without touching this file), fills each path converter with values of real objects (one of
each kind, `tests.worlds.every_object`, so a refusal is the role check, not a missing
object), and sends every write method as an auditor who has a second factor and also
holds a mandate (chair of the Control Committee): the hardest case, since officer rights
must not leak through.

The rule, for every route outside `ALLOWED`:

- pages and API routes answer 403 (refused by role) or 405 (the view has no write method);
  404 is accepted only for a filled value that names no object, and at least one value of
  each route must reach a 403 or 405, or the test says which route it could not reach;
- allauth's account pages (under /accounts/) may also answer a redirect (302) to a page
  that is not the one posted to: allauth sends a signed-in account away from its sign-in,
  sign-up and password-reset forms;

and after every request the audit chain's head and the row count of every table of the
governance, elections and motions apps (and of accounts) are unchanged.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.urls.converters import IntConverter

from governance.models import Article, AuditHead, Body, Decision, Mandate
from tests.factories import BodyFactory, MandateFactory
from tests.urlwalk import API_WRITE_METHODS, url_patterns
from tests.worlds import every_object

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("governance", "elections", "motions")
PAGE_METHODS = ("post",)

#: URL names not tried, each with its reason. They change only the auditor's own login
#: (session, language, credentials), never the governance record; the table counts would
#: show it if they did.
ALLOWED = {
    "account_logout": "ends the auditor's own session (and would end this test's)",
    "set_language": "stores the auditor's language choice in a cookie (and as their own "
    "language, services.set_own_language)",
    "account_profile": "the auditor's own language (services.set_own_language)",
    "api_me": "the auditor's own language (services.set_own_language)",
    "account_change_password": "the auditor's own password",
    "account_set_password": "the auditor's own password",
    "account_email": "the auditor's own e-mail addresses",
    "account_reauthenticate": "confirms the auditor's own password before a sensitive step",
    "mfa_reauthenticate": "confirms the auditor's own second factor before a sensitive step",
    "account_request_reauthentication_code": "e-mails the auditor a code to confirm it is them",
    "account_confirm_reauthentication_code": "confirms the auditor with the code e-mailed to them",
    "mfa_activate_totp": "the auditor's own second factor",
    "mfa_enrolment_proof": "e-mails the auditor a code to prove it is them before a second "
    "factor is set up; writes nothing but the session",
    "mfa_enrolment_link": "a staff enrolment link for the auditor's own second factor",
    "mfa_deactivate_totp": "the auditor's own second factor (and would end this test's access)",
    "mfa_generate_recovery_codes": "the auditor's own recovery codes",
    "mfa_download_recovery_codes": "the auditor's own recovery codes",
    "account_reset_password": "asks for a password-reset e-mail, as anyone may; writes no record",
    "account_reset_password_from_key": "sets a password from an e-mailed secret key",
    "account_confirm_email": "confirms an e-mail address from an e-mailed secret key",
    "api_receipt_check": "looks a voter's receipt up (POST keeps the code out of URLs and logs)",
    "audit_checkpoint_check": "checks a pasted checkpoint against the log (a checkpoint is too "
    "long for a URL); writes nothing",
    "ballot_receipt_check": "looks a voter's receipt up (POST keeps the code out of URLs and logs)",
}

REFUSED = {403, 405}


def candidate_values() -> dict[str, list[str]]:
    """Values of real objects for each kind of converter (ints: the smallest pk of every table)."""
    ints = set()
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS:
            pk = model.objects.order_by("pk").values_list("pk", flat=True).first()
            if isinstance(pk, int):
                ints.add(pk)
    words = [
        *Body.objects.order_by("pk").values_list("code", flat=True)[:2],
        *Article.objects.order_by("pk").values_list("number", flat=True)[:1],
        "open",
        "body",  # a kind of object whose names are translated (translations/<kind>/<pk>/)
    ]
    reference = Decision.objects.order_by("pk").values_list("reference", flat=True).first()
    return {
        "int": [str(value) for value in sorted(ints)],
        "str": words,
        "slug": words,
        "path": [reference, *words],
        "uuid": ["00000000-0000-4000-8000-000000000000"],
    }


def state() -> dict[str, object]:
    counts = {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS or model is get_user_model()
    }
    head = AuditHead.objects.filter(id=1).values_list("sequence", "hash").first()
    return {"head": head, **counts}


@pytest.fixture
def auditor_client(client, world):
    every_object(world)
    auditor = world.auditor
    control = BodyFactory(
        code="control-committee", name="Control Committee", kind="committee", seats=3
    )
    MandateFactory(member=auditor.member, body=control, role="chair")
    assert auditor.is_auditor and Mandate.objects.current().filter(member__user=auditor).exists()
    client.force_login(auditor)
    assert client.get(reverse("dashboard")).status_code == 200  # the second factor is set up
    return client


def test_every_write_to_every_url_is_refused_to_an_auditor(auditor_client):
    values = candidate_values()
    before = state()
    problems, tried = [], 0
    for walked in url_patterns():
        route, pattern = walked.route, walked.pattern
        if pattern.name in ALLOWED:
            continue
        is_api, is_account = walked.is_api, route.startswith("/accounts/")
        for method in API_WRITE_METHODS if is_api else PAGE_METHODS:
            statuses = []
            for url in walked.fill_each(values):
                send = getattr(auditor_client, method)
                response = (
                    send(url, data="{}", content_type="application/json") if is_api else send(url)
                )
                tried += 1
                status = response.status_code
                statuses.append(status)
                redirect_away = (
                    is_account and status == 302 and response["Location"].split("?")[0] != url
                )
                if status not in REFUSED | {404} and not redirect_away:
                    problems.append(f"{method.upper()} {url} answered {status}")
                if state() != before:
                    problems.append(f"{method.upper()} {url} changed the record")
                    before = state()
                if status in REFUSED or redirect_away:
                    break  # this route refuses by role: no need to try other objects
            if statuses and all(status == 404 for status in statuses):
                problems.append(
                    f"{method.upper()} {route} ({pattern.name}) only answered {statuses}: "
                    "give tests.worlds.every_object an object it can reach"
                )
    assert not problems, "\n".join(problems)
    assert tried > 100  # the walk did reach the project's routes


def test_the_walk_covers_every_app_and_the_api():
    routes = [walked.route for walked in url_patterns()]
    for prefix in ("/decisions/", "/audit/", "/ballots/", "/api/ballots/", "/accounts/"):
        assert any(route.startswith(prefix) for route in routes), prefix


def test_converters_are_filled_with_real_objects(auditor_client):
    values = candidate_values()
    assert values["int"] and all(value.isdigit() for value in values["int"])
    assert Decision.objects.filter(reference=values["path"][0]).exists()
    assert isinstance(IntConverter().to_python(values["int"][0]), int)
