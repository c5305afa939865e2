"""The platform's PDFs (the minutes, the decision register): one document setup for both.

A `Document` is an A4 fpdf2 document with 18 mm margins, the fonts below, shaped text,
a footer (a label and the page number), the title, creator and creation date set, so
that the same content and the same `created_at` give the same bytes (fpdf2's file
identifier is a hash of the content). Text is drawn line by line (`line`, `heading`,
`pair`, `small_lines`) with a greedy word wrap (`wrapped`).

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

import datetime as dt
from pathlib import Path
from typing import IO

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


def set_up_fonts(pdf) -> str:
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


class Document:
    """An A4 document of the platform, its footer `footer` · page/pages (aligned `footer_align`)."""

    def __init__(
        self,
        *,
        title: str,
        created_at: dt.datetime,
        footer: str,
        footer_align: str = "C",
        subject: str = "",
        keywords: str = "",
    ):
        # fpdf2 is imported here, not at the top: it takes a third of a second to load.
        from fpdf import FPDF

        document = self

        class Pages(FPDF):
            def footer(pdf) -> None:
                pdf.set_y(-12)
                pdf.set_font(document.family, "", 8)
                pdf.cell(0, 5, f"{footer} · {pdf.page_no()}/{{nb}}", align=footer_align)

        pdf = self.pdf = Pages(format="A4")
        pdf.set_margins(18, 18, 18)
        pdf.set_auto_page_break(True, margin=18)
        self.family = set_up_fonts(pdf)
        self.align = alignment()
        pdf.set_title(title)
        pdf.set_creator("governance-platform")
        pdf.set_creation_date(created_at)
        if subject:
            pdf.set_subject(subject)
        if keywords:
            pdf.set_keywords(keywords)
        pdf.add_page()

    def line(self, value: str, *, size: float = 10, bold: bool = False, height: float = 5) -> None:
        pdf = self.pdf
        pdf.set_font(self.family, "B" if bold else "", size)
        for text in self.wrapped(value, pdf.epw):
            pdf.cell(0, height, text, new_x="LMARGIN", new_y="NEXT", align=self.align)

    def heading(self, value: str) -> None:
        self.pdf.ln(3)
        self.line(value, size=12, bold=True, height=7)

    def pair(self, label: str, value: str, *, size: float = 10) -> None:
        self.line(f"{label}: {value}", size=size)

    def small_lines(self, text: str) -> None:
        """A block kept line for line (a signed checkpoint), in small type."""
        for line in text.rstrip("\n").split("\n"):
            self.line(line or " ", size=6, height=3)

    def space(self, height: float) -> None:
        self.pdf.ln(height)

    def wrapped(self, value: str, width: float) -> list[str]:
        """Greedy word wrap. fpdf2's multi_cell measures a line again for every character it
        adds to it, which makes a register of thousands of decisions take minutes."""
        measure = self.pdf.get_string_width
        space = measure(" ")
        lines = []
        for paragraph in value.splitlines() or [""]:
            if not paragraph.strip():
                lines.append(paragraph)  # a blank line stays one (a checkpoint needs it)
                continue
            line, line_width = "", 0.0
            for word in paragraph.split(" "):
                word_width = measure(word)
                while word_width > width:  # longer than a whole line: cut it
                    if line:
                        lines.append(line)
                        line, line_width = "", 0.0
                    cut = next(
                        (n for n in range(len(word) - 1, 0, -1) if measure(word[:n]) <= width), 1
                    )
                    lines.append(word[:cut])
                    word = word[cut:]
                    word_width = measure(word)
                if line and line_width + space + word_width > width:
                    lines.append(line)
                    line, line_width = word, word_width
                elif line:
                    line, line_width = f"{line} {word}", line_width + space + word_width
                else:
                    line, line_width = word, word_width
            lines.append(line)
        return lines

    def attach(self, data: bytes, *, name: str, mime_type: str, description: str, at) -> None:
        self.pdf.embed_file(
            bytes=data, basename=name, mime_type=mime_type, desc=description, modification_date=at
        )

    def output(self, out: IO[bytes] | None = None) -> bytes | None:
        """The PDF's bytes, or written to `out`."""
        if out is not None:
            self.pdf.output(out)
            return None
        return bytes(self.pdf.output())
