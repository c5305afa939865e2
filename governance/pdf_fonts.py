"""The PDFs' fonts and text shaping, the same for the minutes and the register.

The fonts (SIL Open Font License) come from PyPI packages, so every environment that installs
the project has them: a developer's ``make test``, CI and the Docker image alike. Noto Sans
(``fontpkg-noto-sans``) draws French and English; Amiri (``fontpkg-amiri``), which has both
Arabic and Latin letters, draws Arabic documents whole and the Arabic words of the others.
fpdf2 shapes the text with HarfBuzz (``uharfbuzz``): Arabic letters join, and the Unicode bidi
algorithm orders each line, so Arabic reads right to left with Latin names and figures inside
it in their own order. (Noto Sans Arabic as a fallback of Noto Sans, both variable fonts, drew
wrong glyphs for digits after Arabic words with fpdf2 2.8.9; one font per Arabic document
avoids any fallback there.)
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import get_language_bidi

LATIN = "NotoSans"
ARABIC = "Amiri"


def _package_root(package: str) -> Path:
    return Path(__import__(package).ROOT) / "files"


def font_files() -> dict[str, Path]:
    """The font files by family and style ("" regular, "B" bold)."""
    latin = next(
        path
        for path in sorted(_package_root("fontpkg_noto_sans").glob("*.ttf"))
        if "Italic" not in path.name
    )
    arabic = _package_root("fontpkg_amiri")
    return {
        "latin": latin,
        "arabic": arabic / "Amiri-Regular.ttf",
        "arabic-bold": arabic / "Amiri-Bold.ttf",
    }


def set_up(pdf) -> str:
    """Add the fonts (regular and bold), turn shaping on, and return the family for
    ``set_font``: Amiri for a document in Arabic, else Noto Sans with Amiri for Arabic words."""
    files = font_files()
    pdf.add_font(ARABIC, "", files["arabic"])
    pdf.add_font(ARABIC, "B", files["arabic-bold"])
    pdf.set_text_shaping(use_shaping_engine=True)
    if get_language_bidi():
        return ARABIC
    pdf.add_font(LATIN, "", files["latin"], variations={"wght": 400})
    pdf.add_font(LATIN, "B", files["latin"], variations={"wght": 700})
    pdf.set_fallback_fonts([ARABIC], exact_match=False)
    return LATIN


def alignment() -> str:
    """Lines start on the right in a right-to-left language (Arabic), on the left otherwise."""
    return "R" if get_language_bidi() else "L"
