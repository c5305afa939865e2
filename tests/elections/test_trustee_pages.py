"""Trustees on the web and the API: the page says what is asked now, offers only public
files, and takes the public file each step of `python -m elections.trustee` writes. A bad,
foreign or altered file is a form error (400 with a field message in the API) and changes
nothing; every upload is the step's own service, with its audit event."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from elections import ballot_box, services, trustee
from elections.models import Ballot, BallotPaper, Trustee
from governance.models import AuditEvent
from tests.elections.conftest import add_voters, draft_ballot, draft_election
from tests.factories import close_and_tally

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _run(*argv) -> None:
    assert trustee.main([str(a) for a in argv]) == 0


def _upload(client, t: Trustee, path, *, api=False):
    data = path.read_bytes() if hasattr(path, "read_bytes") else path
    if api:
        return client.post(
            reverse("api_trusteeship_upload", args=[t.pk]),
            {"file": json.loads(data)},
            content_type="application/json",
        )
    return client.post(
        reverse("trustee_upload", args=[t.pk]),
        {"file": SimpleUploadedFile("file.json", data, content_type="application/json")},
    )


def _asked(client, t: Trustee) -> str:
    return client.get(reverse("api_trusteeship", args=[t.pk])).json()["asked"]


@pytest.fixture
def appointed(world):
    """A draft STV election whose three trustees (2 of 3) are to make its key."""
    ballot = draft_election(world)
    users = [world.member, world.officer, world.other_officer]
    box = ballot_box.appoint_trustees(
        actor=world.officer, ballot=ballot, members=[u.member for u in users], threshold_k=2
    )
    trustees = list(box.trustees.order_by("index"))
    return ballot, users, trustees


def _ceremony_by_web(tmp_path, users, trustees, *, api_for=()):
    """Each trustee runs the tool on their own files and uploads through the page (or the
    API for those in `api_for`), downloading the ceremony file from their page."""
    clients = [_client(u) for u in users]
    for n, (client, t) in enumerate(zip(clients, trustees, strict=True)):
        assert _asked(client, t) == ballot_box.TRANSPORT
        me, public = tmp_path / f"me{t.index}.json", tmp_path / f"transport{t.index}.json"
        _run("init", "--index", t.index, "--private", me, "--public", public)
        response = _upload(client, t, public, api=n in api_for)
        assert response.status_code in (200, 302), response.content
    for step, command in ((ballot_box.DEALING, "keygen"), (ballot_box.SHARE_KEY, "confirm")):
        for n, (client, t) in enumerate(zip(clients, trustees, strict=True)):
            assert _asked(client, t) == step
            ceremony = tmp_path / f"ceremony{t.index}-{step}.json"
            ceremony.write_bytes(client.get(reverse("trustee_ceremony", args=[t.pk])).getvalue())
            out = tmp_path / f"{step}{t.index}.json"
            me = tmp_path / f"me{t.index}.json"
            _run(command, "--private", me, "--ceremony", ceremony, "--output", out)
            response = _upload(client, t, out, api=n in api_for)
            assert response.status_code in (200, 302), response.content
    return clients


def test_three_trustees_make_the_key_and_two_decrypt_through_page_and_api(
    world, tmp_path, appointed
):
    ballot, users, trustees = appointed
    clients = _ceremony_by_web(tmp_path, users, trustees, api_for={1})
    box = ballot.box
    box.refresh_from_db()
    assert box.public_key and not box.demo_secret
    assert _asked(clients[0], trustees[0]) == ballot_box.KEY_READY
    voters = add_voters(world, 2)
    ballot = services.open_ballot(actor=world.officer, ballot=ballot)
    rankings = [["c1", "c2"], ["c2"], ["c3", "c1"], ["c1"], ["c2", "c3"]]
    for user, ranking in zip([*users, *voters], rankings, strict=True):
        services.cast_vote(actor=user, ballot=ballot, choices=ranking)
    close_and_tally(actor=world.officer, ballot=ballot)
    console = reverse("ballot_console", args=[ballot.pk])
    assert "2 more trustees must upload their decryption shares." in (
        clients[1].get(console).content.decode()
    )
    for n in (0, 2):
        client, t = clients[n], trustees[n]
        assert _asked(client, t) == ballot_box.DECRYPT
        bundle = tmp_path / f"bundle{n}.json"
        bundle.write_bytes(client.get(reverse("trustee_bundle", args=[t.pk])).getvalue())
        out = tmp_path / f"shares{n}.json"
        _run(
            "decrypt",
            "--private",
            tmp_path / f"me{t.index}.json",
            "--bundle",
            bundle,
            "--output",
            out,
        )
        response = _upload(client, t, out, api=n == 2)
        assert response.status_code in (200, 302), response.content
        assert _asked(client, t) == ballot_box.DONE
    page = clients[1].get(console).content.decode()
    assert "Decryption shares uploaded: 2 (needed: 2)." in page
    assert "Enough trustees have decrypted: the ballot can be counted." in page
    services.count_ballot(actor=world.officer, ballot=ballot)
    counted = sorted(
        p["ranking"]
        for p in BallotPaper.objects.filter(ballot=ballot).values_list("content", flat=True)
    )
    assert counted == sorted(rankings)
    assert _asked(clients[1], trustees[1]) == ballot_box.NOT_NEEDED
    kinds = list(
        AuditEvent.objects.filter(action__startswith="trustee.").values_list("action", flat=True)
    )
    assert kinds.count("trustee.transport_key") == 3 and kinds.count("trustee.decrypted") == 2


def test_the_page_lists_the_trusteeships_with_the_step_and_no_secret(
    world, appointed, django_assert_max_num_queries
):
    ballot, _users, trustees = appointed
    for _ in range(3):  # more trusteeships, the same number of queries
        other = draft_ballot(world, title="Another secret question")
        ballot_box.appoint_trustees(
            actor=world.officer, ballot=other, members=[world.member.member], threshold_k=1
        )
    client = _client(world.member)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("trustee_home"))
    page = response.content.decode()
    assert response.status_code == 200 and ballot.title in page
    assert "python -m elections.trustee init --index 1" in page
    assert page.count('enctype="multipart/form-data"') == 4
    # Someone who is no trustee sees an empty list, and not another's trusteeship.
    stranger = add_voters(world, 1)[0]
    assert "not a trustee" in _client(stranger).get(reverse("trustee_home")).content.decode()
    assert (
        _client(stranger).get(reverse("trustee_ceremony", args=[trustees[0].pk])).status_code == 404
    )


def _snapshot(t: Trustee):
    t.refresh_from_db()
    return (t.transport_key, t.dealing, t.share_key, t.decryption, AuditEvent.objects.count())


@pytest.mark.parametrize("api", [False, True])
def test_a_bad_foreign_or_altered_file_is_a_form_error_and_changes_nothing(
    world, tmp_path, appointed, api
):
    _ballot, users, trustees = appointed
    client = _client(users[0])
    t = trustees[0]
    me, public = tmp_path / "me.json", tmp_path / "transport.json"
    _run("init", "--index", 2, "--private", me, "--public", public)  # another trustee's number
    before = _snapshot(t)
    cases = [
        b"not json at all",
        b"[1, 2]",
        public.read_bytes(),  # foreign: trustee 2's file
        me.read_bytes(),  # the private file itself
        json.dumps({"index": 1, "public": "zz"}).encode(),  # altered
    ]
    for data in cases:
        if api and not data.startswith(b"{") and not data.startswith(b"["):
            response = client.post(
                reverse("api_trusteeship_upload", args=[t.pk]),
                data,
                content_type="application/json",
            )
        else:
            response = _upload(client, t, data, api=api)
        assert response.status_code == 400, (data, response.content)
        if api:
            assert "file" in response.json() or "detail" in response.json()
        else:
            assert response.context["rows"][0]["form"].errors["file"]
        assert _snapshot(t) == before


def test_only_the_trustee_uploads(world, tmp_path, appointed):
    _ballot, users, trustees = appointed
    me, public = tmp_path / "me.json", tmp_path / "transport.json"
    _run("init", "--index", 1, "--private", me, "--public", public)
    officer = _client(users[1])
    assert _upload(officer, trustees[0], public).status_code == 404
    assert _upload(officer, trustees[0], public, api=True).status_code == 404
    trustees[0].refresh_from_db()
    assert trustees[0].transport_key is None


def test_a_dealing_for_another_ballot_is_refused(world, tmp_path, appointed):
    _ballot, users, trustees = appointed
    _ceremony_by_web(tmp_path, users, trustees)
    # A second ballot with the same trustees: trustee 1 uploads the first ballot's dealing.
    second = draft_election(world)
    box = ballot_box.appoint_trustees(
        actor=world.officer, ballot=second, members=[u.member for u in users], threshold_k=2
    )
    others = list(box.trustees.order_by("index"))
    clients = [_client(u) for u in users]
    for client, t in zip(clients, others, strict=True):
        me, public = tmp_path / f"m{t.index}.json", tmp_path / f"p{t.index}.json"
        _run("init", "--index", t.index, "--private", me, "--public", public)
        assert _upload(client, t, public).status_code == 302
    before = _snapshot(others[0])
    response = _upload(clients[0], others[0], tmp_path / "dealing1.json")
    assert response.status_code == 400
    (errors,) = [row["form"].errors for row in response.context["rows"] if row["form"].errors]
    assert "nothing was changed" in str(errors["file"])
    assert _snapshot(others[0]) == before
    assert Ballot.objects.get(pk=second.pk).box.public_key == ""


@pytest.mark.parametrize("count", [3, 9])
def test_the_console_shows_who_has_acted_in_constant_queries(
    world, tmp_path, django_assert_max_num_queries, count
):
    members = [u.member for u in (world.member, world.officer, world.other_officer)]
    members += [u.member for u in add_voters(world, count - 3)]
    ballot = draft_election(world)
    box = ballot_box.appoint_trustees(
        actor=world.officer, ballot=ballot, members=members, threshold_k=2
    )
    first = box.trustees.get(index=1)
    me, public = tmp_path / "me.json", tmp_path / "transport.json"
    _run("init", "--index", 1, "--private", me, "--public", public)
    ballot_box.upload_trustee_file(
        actor=world.member, trustee=first, data=json.loads(public.read_text())
    )
    client = _client(world.officer)
    with django_assert_max_num_queries(MAX_QUERIES + 2):
        response = client.get(reverse("ballot_console", args=[ballot.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"2 of the {count} trustees must upload their decryption shares" in page
    assert f"Key material published: 0 of {count}." in page
    assert f"{count} of {count} trustees have not published their key material yet." in page


def test_an_api_upload_above_the_size_limit_is_a_400_on_file(world, appointed, monkeypatch):
    """Above the trustee's file limit the API answers on `file` and writes nothing, whether
    the declared body is too large or the parsed file is."""
    _ballot, users, trustees = appointed
    monkeypatch.setattr("elections.forms.TRUSTEE_FILE_LIMIT", 200)
    client = _client(users[0])
    t = trustees[0]
    before = _snapshot(t)
    events = AuditEvent.objects.count()
    url = reverse("api_trusteeship_upload", args=[t.pk])
    for padding in (250, 10_000):  # the file alone too large; the whole body too large
        body = json.dumps({"file": {"index": 1, "public": "a" * padding}})
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 400, response.content
        assert "larger than 200 bytes" in str(response.json()["file"])
        assert _snapshot(t) == before
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("language", "n", "expected"),
    [
        ("en", 1, "1 of 1 trustee"),
        ("en", 3, "2 of 3 trustees"),
        ("fr", 1, "1 sur 1 dépositaire de clé"),
        ("fr", 3, "2 sur 3 dépositaires de clé"),
        ("ar", 1, "1 من أصل 1 أمين واحد"),
        ("ar", 2, "2 من أصل 2 أمينين"),
        ("ar", 3, "2 من أصل 3 أمناء"),
        ("ar", 11, "2 من أصل 11 أمينًا"),
        ("ar", 100, "2 من أصل 100 أمين"),
    ],
)
def test_k_of_n_uses_the_plural_forms(language, n, expected):
    from django.utils import translation

    k = min(n, 1 if n == 1 else 2)
    with translation.override(language):
        text = translation.ngettext("%(k)s of %(n)s trustee", "%(k)s of %(n)s trustees", n)
    assert text % {"k": k, "n": n} == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"index": 1, "public": "\xff"}', "This file is not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, "This file is not JSON"),
        (b'{"index": 1, "public": ' + b"[" * 40 + b"]" * 40 + b"}", "This file is not JSON"),
    ],
    ids=["not UTF-8", "nested 100,000 deep", "nested 41 deep"],
)
def test_a_file_not_utf8_or_nested_too_deep_is_a_form_error(appointed, data, message):
    """Not a server error (the standard library's reader recurses), and nothing changes."""
    _ballot, users, trustees = appointed
    t = trustees[0]
    before = _snapshot(t)
    response = _upload(_client(users[0]), t, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _snapshot(t) == before
