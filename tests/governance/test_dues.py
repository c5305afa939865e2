"""Dues: one payment (service, page, API, command) and a dues file imported all or nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.exceptions import DomainError, NotAllowed
from governance.models import AuditEvent, DuesPayment
from governance.roll import importing
from tests.factories import DuesFactory, MandateFactory, MemberFactory

pytestmark = pytest.mark.django_db

HEADER = "membership_number,year,amount,paid_on"


def dues_file(*lines: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *lines]).encode()


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def payer(world):
    return MemberFactory(unit=world.group, membership_number="MA-1", first_name="Salma")


def good_file(today) -> bytes:
    return dues_file(
        f"MA-1,{today.year},100.00,{today.isoformat()}",
        f"MA-1,{today.year - 1},80,{dt.date(today.year - 1, 3, 1).isoformat()}",
    )


def run(world, data: bytes, today):
    return importing.import_dues(actor=world.staff, data=data, today=today)


# --- the service ---------------------------------------------------------------------


def test_a_payment_dated_in_the_future_is_refused(world, payer, today):
    with pytest.raises(DomainError) as error:
        services.record_dues_payment(
            actor=world.staff,
            member=payer,
            year=today.year,
            amount=Decimal("100"),
            paid_on=today + dt.timedelta(days=1),
        )
    assert error.value.field == "paid_on"
    assert not DuesPayment.objects.filter(member=payer).exists()


def test_dues_may_be_paid_for_next_year_but_not_the_one_after(world, payer, today):
    services.record_dues_payment(
        actor=world.staff, member=payer, year=today.year + 1, amount=Decimal("100"), paid_on=today
    )
    with pytest.raises(DomainError) as error:
        services.record_dues_payment(
            actor=world.staff,
            member=payer,
            year=today.year + 2,
            amount=Decimal("100"),
            paid_on=today,
        )
    assert error.value.field == "year"


def test_an_amount_with_three_decimals_is_refused(world, payer, today):
    with pytest.raises(DomainError) as error:
        services.record_dues_payment(
            actor=world.staff,
            member=payer,
            year=today.year,
            amount=Decimal("100.005"),
            paid_on=today,
        )
    assert error.value.field == "amount"


def test_a_recorded_payment_has_its_audit_event(world, payer, today):
    payment = services.record_dues_payment(
        actor=world.staff, member=payer, year=today.year, amount=Decimal("100"), paid_on=today
    )
    event = AuditEvent.objects.get(action="dues.recorded", object_id=str(payment.pk))
    assert event.actor_id == world.staff.pk
    assert event.new["amount"] == "100.00"


# --- the dues file -------------------------------------------------------------------


def test_a_dues_file_records_every_payment(world, payer, today):
    report = run(world, good_file(today), today)
    assert (report.recorded, report.unchanged) == (2, 0)
    assert sorted(payer.dues_payments.values_list("year", flat=True)) == [
        today.year - 1,
        today.year,
    ]


def test_each_imported_payment_gets_an_audit_event(world, payer, today):
    before = AuditEvent.objects.filter(action="dues.recorded").count()
    run(world, good_file(today), today)
    assert AuditEvent.objects.filter(action="dues.recorded").count() == before + 2


def test_importing_the_same_dues_file_twice_changes_nothing(world, payer, today):
    run(world, good_file(today), today)
    events = AuditEvent.objects.count()
    report = run(world, good_file(today), today)
    assert (report.recorded, report.unchanged) == (0, 2)
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("MA-404,{year},100,{day}", "line 3: no member has the number 'MA-404'"),
        ("MA-1,{year},lots,{day}", "line 3: amount 'lots' is not an amount like 100.00"),
        ("MA-1,{year},-5,{day}", "line 3: The amount cannot be negative."),
        ("MA-1,last,100,{day}", "line 3: year 'last' is not a year like 2026"),
        ("MA-1,{year},100,yesterday", "line 3: paid_on 'yesterday' is not a date like 2001-12-31"),
        ("MA-1,{year},100,{tomorrow}", "line 3: The payment date is in the future."),
        ("MA-1,{year},100,{day}", "line 3: dues of MA-1 for {year} repeat line 2"),
    ],
)
def test_a_bad_dues_line_rejects_the_whole_file_and_is_named(world, payer, today, line, message):
    values = {
        "year": today.year,
        "day": today.isoformat(),
        "tomorrow": (today + dt.timedelta(days=1)).isoformat(),
    }
    data = dues_file(f"MA-1,{today.year},100,{today.isoformat()}", line.format(**values))
    if "repeat" not in message:
        data = dues_file(f"MA-1,{today.year - 1},100,{today.isoformat()}", line.format(**values))
    with pytest.raises(importing.ImportRejected) as error:
        run(world, data, today)
    assert [str(d) for d in error.value.details] == [message.format(**values)]
    assert not DuesPayment.objects.filter(member=payer).exists()


def test_a_year_recorded_with_other_figures_is_named(world, payer, today):
    DuesFactory(member=payer, year=today.year, amount=Decimal("50.00"), paid_on=today)
    with pytest.raises(importing.ImportRejected) as error:
        run(world, dues_file(f"MA-1,{today.year},100.00,{today.isoformat()}"), today)
    assert str(error.value.details[0]) == (
        f"line 2: dues of MA-1 for {today.year} are already recorded "
        f"(50.00 paid on {today.isoformat()})"
    )


def test_a_dues_file_with_a_wrong_header_is_refused(world, payer, today):
    with pytest.raises(importing.ImportRejected) as error:
        run(world, dues_file("MA-1,2026,100", header="membership_number,year,amount"), today)
    assert str(error.value.details[0]) == "line 1: missing columns: paid_on"


def test_only_staff_may_import_dues(world, payer, today):
    with pytest.raises(NotAllowed):
        importing.import_dues(actor=world.officer, data=good_file(today), today=today)
    with pytest.raises(NotAllowed):
        importing.import_dues(actor=world.auditor, data=good_file(today), today=today)


# --- the member page -----------------------------------------------------------------


def test_the_member_page_shows_details_dues_and_mandates(
    client_for, world, payer, today, django_assert_max_num_queries
):
    DuesFactory(member=payer, year=today.year - 1, amount=Decimal("80.00"))
    MandateFactory(member=payer, body=world.committee, role="treasurer")
    client = client_for("staff")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("member_detail", args=[payer.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "MA-1" in page
    assert "80.00" in page
    assert "Group committee" in page
    assert "Rabat group" in page
    assert "Record a payment" in page


def test_the_member_page_answers_in_the_same_queries_with_more_history(
    client_for, world, payer, today, django_assert_max_num_queries
):
    for year in range(today.year - 8, today.year):
        DuesFactory(member=payer, year=year)
    MandateFactory(member=payer, body=world.committee, role="treasurer")
    MandateFactory(member=payer, body=world.board, role="member")
    client = client_for("staff")
    with django_assert_max_num_queries(14):
        assert client.get(reverse("member_detail", args=[payer.pk])).status_code == 200


def test_an_auditor_reads_the_member_page_without_the_payment_form(client_for, payer):
    response = client_for("auditor").get(reverse("member_detail", args=[payer.pk]))
    assert response.status_code == 200
    assert "Record a payment" not in response.content.decode()


def test_a_member_may_not_read_another_members_page(client_for, payer):
    assert client_for("member").get(reverse("member_detail", args=[payer.pk])).status_code == 403


def test_an_unknown_member_page_is_404(client_for, world):
    assert client_for("staff").get(reverse("member_detail", args=[999999])).status_code == 404


def test_staff_record_a_payment_from_the_member_page(client_for, payer, today):
    response = client_for("staff").post(
        reverse("member_dues_record", args=[payer.pk]),
        {"year": today.year, "amount": "100.00", "paid_on": today.isoformat()},
    )
    assert response.status_code == 302
    assert payer.dues_payments.get().amount == Decimal("100.00")


def test_a_second_payment_for_the_same_year_is_a_form_error(client_for, payer, today):
    DuesFactory(member=payer, year=today.year)
    response = client_for("staff").post(
        reverse("member_dues_record", args=[payer.pk]),
        {"year": today.year, "amount": "100.00", "paid_on": today.isoformat()},
    )
    assert response.status_code == 400
    assert "already recorded" in response.content.decode()
    assert payer.dues_payments.count() == 1


def test_recording_dues_by_get_is_not_allowed(client_for, payer):
    assert (
        client_for("staff").get(reverse("member_dues_record", args=[payer.pk])).status_code == 405
    )


def test_an_auditor_may_not_record_dues(client_for, payer, today):
    response = client_for("auditor").post(
        reverse("member_dues_record", args=[payer.pk]),
        {"year": today.year, "amount": "100.00", "paid_on": today.isoformat()},
    )
    assert response.status_code == 403
    assert not payer.dues_payments.exists()


def test_an_officer_may_not_record_dues(client_for, payer, today):
    response = client_for("officer").post(
        reverse("member_dues_record", args=[payer.pk]),
        {"year": today.year, "amount": "100.00", "paid_on": today.isoformat()},
    )
    assert response.status_code == 403


def test_the_dues_import_page_records_a_file(client_for, payer, today):
    upload = _upload(good_file(today))
    response = client_for("staff").post(reverse("dues_import"), {"file": upload})
    assert response.status_code == 302
    assert payer.dues_payments.count() == 2


def test_the_dues_import_page_lists_the_bad_lines_with_a_400(client_for, payer, today):
    upload = _upload(dues_file(f"MA-404,{today.year},100,{today.isoformat()}"))
    response = client_for("staff").post(reverse("dues_import"), {"file": upload})
    assert response.status_code == 400
    assert "line 2: no member has the number" in response.content.decode()


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("dues.csv", data, content_type="text/csv")


# --- the API -------------------------------------------------------------------------


def test_the_api_gives_a_member_with_dues_and_mandates(client_for, world, payer, today):
    DuesFactory(member=payer, year=today.year)
    MandateFactory(member=payer, body=world.committee, role="treasurer")
    response = client_for("auditor").get(reverse("api_member", args=["MA-1"]))
    assert response.status_code == 200
    body = response.json()
    assert body["dues"] == [{"year": today.year, "amount": "100.00", "paid_on": today.isoformat()}]
    assert body["mandates"][0]["body"] == "group-committee"


def test_the_api_records_a_payment(client_for, payer, today):
    response = client_for("staff").post(
        reverse("api_member_dues", args=["MA-1"]),
        {"year": today.year, "amount": "100.00", "paid_on": today.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert payer.dues_payments.get().year == today.year


def test_the_api_names_the_field_of_a_refused_payment(client_for, payer, today):
    DuesFactory(member=payer, year=today.year)
    response = client_for("staff").post(
        reverse("api_member_dues", args=["MA-1"]),
        {"year": today.year, "amount": "100.00", "paid_on": today.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "year" in response.json()


def test_an_auditor_may_not_record_dues_through_the_api(client_for, payer, today):
    response = client_for("auditor").post(
        reverse("api_member_dues", args=["MA-1"]),
        {"year": today.year, "amount": "100.00", "paid_on": today.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_the_api_imports_a_dues_file(client_for, payer, today):
    response = client_for("staff").post(
        reverse("api_dues_import"),
        {"csv": good_file(today).decode()},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json() == {"recorded": 2, "unchanged": 0}


def test_the_api_names_the_bad_lines_of_a_dues_file(client_for, payer, today):
    response = client_for("staff").post(
        reverse("api_dues_import"),
        {"csv": dues_file(f"MA-1,{today.year},many,{today.isoformat()}").decode()},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == ["line 2: amount 'many' is not an amount like 100.00"]
    assert not payer.dues_payments.exists()


# --- the commands --------------------------------------------------------------------


def test_the_command_records_one_payment(world, payer, today, capsys):
    call_command("record_dues", "MA-1", str(today.year), "100.00", "--as", world.staff.email)
    assert payer.dues_payments.get().paid_on == today
    assert "recorded" in capsys.readouterr().out


@pytest.mark.parametrize("role", ["member", "auditor", "officer"])
def test_the_commands_act_only_for_an_account_the_access_layer_lets_manage_the_roll(
    world, payer, today, tmp_path, role
):
    """`--as` names an account, checked by `access.may_manage_roll` as the roll's pages are."""
    email = getattr(world, role).email
    with pytest.raises(CommandError, match=f"the account {email} may not do this"):
        call_command("record_dues", "MA-1", str(today.year), "100.00", "--as", email)
    path = tmp_path / "dues.csv"
    path.write_bytes(good_file(today))
    with pytest.raises(CommandError, match="may_manage_roll refuses it"):
        call_command("import_dues", str(path), "--as", email)
    with pytest.raises(CommandError, match="may_manage_roll refuses it"):
        call_command("import_members", str(path), "--as", email)
    assert not payer.dues_payments.exists()


def test_the_command_refuses_an_unknown_member(world):
    with pytest.raises(CommandError, match="no member has the number MA-9"):
        call_command("record_dues", "MA-9", "2026", "100")


def test_the_import_command_names_the_bad_line_and_records_nothing(world, payer, today, tmp_path):
    path = tmp_path / "dues.csv"
    path.write_bytes(
        dues_file(
            f"MA-1,{today.year},100,{today.isoformat()}",
            f"MA-404,{today.year},100,{today.isoformat()}",
        )
    )
    with pytest.raises(CommandError, match="line 3: no member has the number 'MA-404'"):
        call_command("import_dues", str(path))
    assert not payer.dues_payments.exists()


def test_the_import_command_records_a_file(world, payer, today, tmp_path, capsys):
    path = tmp_path / "dues.csv"
    path.write_bytes(good_file(today))
    call_command("import_dues", str(path), "--as", world.staff.email)
    assert payer.dues_payments.count() == 2
    assert "recorded 2 payments" in capsys.readouterr().out
