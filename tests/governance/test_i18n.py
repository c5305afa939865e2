"""French, Arabic (right to left) and English: pages render, catalogs are complete."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

LOCALE = Path(settings.BASE_DIR) / "locale"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "direction", "word"),
    [
        ("en", "ltr", "Decision register"),
        ("fr", "ltr", "Registre des délibérations"),
        ("ar", "rtl", "سجل القرارات"),
    ],
)
def test_pages_render_in_each_language(client_for, world, language, direction, word):
    client = client_for("member")
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    page = client.get(reverse("decision_list")).content.decode()
    assert f'lang="{language}"' in page
    assert f'dir="{direction}"' in page
    assert word in page


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_catalog_is_complete(language):
    catalog = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_compiled_catalog_matches_its_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    compiled = polib.mofile(str(folder / "django.mo"))
    source = polib.pofile(str(folder / "django.po"))
    assert {e.msgid for e in compiled} >= {e.msgid for e in source.translated_entries()}
