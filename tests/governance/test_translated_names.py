"""Names of bodies, articles and meetings translated per language by the officers."""

import pytest
from django.urls import reverse
from django.utils import translation

from governance import services
from governance.exceptions import DomainError, NotAllowed
from governance.models import Article, AuditEvent, Body, OrganisationUnit
from governance.translation_views import may_translate

pytestmark = pytest.mark.django_db


def test_an_officer_translates_the_name_of_their_body_with_an_audit_event(world):
    events = AuditEvent.objects.count()
    services.translate_names(
        actor=world.officer, obj=world.assembly_body, language="ar", values={"name": "الجمع العام"}
    )
    body = Body.objects.get(pk=world.assembly_body.pk)
    with translation.override("ar"):
        assert str(body) == "الجمع العام"
    with translation.override("fr"):
        assert str(body) == "General Assembly"  # the original, where none was given
    assert body.name == "General Assembly"
    event = AuditEvent.objects.latest("sequence")
    assert AuditEvent.objects.count() == events + 1
    assert event.action == "names.translated"
    assert event.new == {"ar": {"name": "الجمع العام"}}


def test_an_empty_translation_brings_the_original_back(world):
    body = world.board
    services.translate_names(actor=world.staff, obj=body, language="fr", values={"name": "Bureau"})
    services.translate_names(actor=world.staff, obj=body, language="fr", values={"name": ""})
    body.refresh_from_db()
    assert body.translations == {}
    assert body.translated("name", "fr") == "Section Board"


def test_an_officer_of_another_body_may_not_translate_it_and_nothing_changes(world):
    with pytest.raises(NotAllowed):
        services.translate_names(
            actor=world.other_officer, obj=world.board, language="fr", values={"name": "Bureau"}
        )
    world.board.refresh_from_db()
    assert world.board.translations == {}


def test_an_auditor_may_not_translate(world):
    with pytest.raises(NotAllowed):
        services.translate_names(
            actor=world.auditor, obj=world.board, language="fr", values={"name": "Bureau"}
        )


def test_only_the_listed_names_can_be_translated(world):
    with pytest.raises(DomainError):
        services.translate_names(
            actor=world.staff, obj=world.board, language="fr", values={"code": "x"}
        )
    with pytest.raises(DomainError):
        services.translate_names(
            actor=world.staff, obj=world.board, language="de", values={"name": "Vorstand"}
        )


def test_the_board_translates_the_articles_titles_shown_on_the_article_page(world, client_for):
    article = Article.objects.get(number="8")
    client = client_for("officer")
    url = reverse("translate_names", args=["article", article.pk])
    page = client.get(url + "?language=fr")
    assert page.status_code == 200
    assert article.title in page.content.decode()  # the original beside the field
    response = client.post(url, {"language": "fr", "title": "Majorité"})
    assert response.status_code == 302
    client.cookies["django_language"] = "fr"
    html = client.get(reverse("article_detail", args=[article.version.number, "8"])).content
    assert "<bdi>Majorité</bdi>" in html.decode()


def test_the_translation_page_is_refused_to_members(world, client_for):
    url = reverse("translate_names", args=["body", world.board.pk])
    assert client_for("member").get(url).status_code == 403


def _unit_links(client) -> set[str]:
    html = client.get(reverse("organisation")).content.decode()
    return {
        unit.code
        for unit in OrganisationUnit.objects.all()
        if reverse("translate_names", args=["unit", unit.pk]) in html
    }


def test_the_organisation_page_links_each_unit_to_its_translation_for_those_who_may(
    world, client_for
):
    # The section's board chair translates the section's names, not the Rabat group's
    # (its board is another body); staff translate every unit; members none.
    assert _unit_links(client_for("officer")) == {"section"}
    assert _unit_links(client_for("staff")) == {"section", "rabat"}
    assert _unit_links(client_for("member")) == set()
    assert _unit_links(client_for("other_officer")) == set()  # a committee, not a board
    for unit in OrganisationUnit.objects.all():
        may = may_translate(world.officer, unit)
        assert may == (unit.code == "section")  # the same answer as the translation page's


def test_the_unit_translation_page_changes_the_name_on_the_organisation_page(world, client_for):
    client = client_for("officer")
    url = reverse("translate_names", args=["unit", world.section.pk])
    assert client.post(url, {"language": "fr", "name": "Section nationale"}).status_code == 302
    client.cookies["django_language"] = "fr"
    assert "<bdi>Section nationale</bdi>" in client.get(reverse("organisation")).content.decode()
