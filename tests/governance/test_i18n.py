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


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_statute_rule_errors_are_in_the_catalogs(language):
    """`statutes/rules.py` stays free of Django, so its messages are marked by hand."""
    import re

    from governance.statutes import rules

    marked = set(re.findall(r'gettext_noop\(\s*"([^"]+)"', Path(rules.__file__).read_text()))
    catalog = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    translated = {entry.msgid for entry in catalog.translated_entries()}
    assert len(marked) == 18
    assert marked - translated == set()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "first_convocation must be a fraction written like '1/4'"),
        ("fr", "first_convocation doit être une fraction écrite comme « 1/4 »"),
        ("ar", "يجب أن يكون first_convocation كسرًا مكتوبًا على شكل '1/4'"),
    ],
)
def test_a_malformed_rule_is_explained_in_the_readers_language(language, words):
    from django.utils import translation

    from governance.statutes import rules
    from governance.statutes.text import rule_error_in_words

    with pytest.raises(rules.RuleError) as caught:
        rules.parse_rule("quorum", {"first_convocation": "half"})
    assert str(caught.value) == "first_convocation must be a fraction written like '1/4'"
    assert caught.value.field == "first_convocation"
    with translation.override(language):
        assert rule_error_in_words(caught.value) == words


def test_every_marked_string_is_in_the_catalogs(tmp_path):
    """The catalogs hold every string the code marks: `make messages` on a copy of the
    project adds no msgid (a string marked but never extracted ships in English)."""
    import os
    import shutil
    import subprocess
    import sys

    base = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    for name in ("governance", "elections", "motions", "templates", "static", "locale"):
        shutil.copytree(base / name, copy / name, ignore=skip)
    shutil.copy(base / "manage.py", copy / "manage.py")
    env = {**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "governance.settings"}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "-l", "ar", "--no-obsolete"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    for language in ("fr", "ar"):
        shipped = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
        extracted = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / "django.po"))
        missing = {e.msgid for e in extracted} - {e.msgid for e in shipped}
        assert missing == set(), f"run make messages and translate ({language}): {missing}"
