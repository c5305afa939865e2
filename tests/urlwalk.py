"""The project's whole URLconf as a list, and URLs to request for each of its patterns.

Shared by the tests that visit every route (the auditor's read-only walk, the authorization
matrix), so a page or API route added later is covered without touching them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

#: `<type:name>` in a route.
CONVERTER = re.compile(r"<(?:(?P<type>[^>:]+):)?(?P<name>[^>]+)>")
#: Write methods an API view may implement, in the order they are tried.
API_WRITE_METHODS = ("post", "put", "patch", "delete")


@dataclass(frozen=True)
class Route:
    """One URL pattern with the route of the resolvers above it ("/api/ballots/<int:pk>/")."""

    route: str
    pattern: URLPattern

    @property
    def name(self) -> str | None:
        return self.pattern.name

    @property
    def is_api(self) -> bool:
        return self.route.startswith("/api/")

    @property
    def is_regex(self) -> bool:
        return "^" in self.route

    def api_methods(self) -> list[str]:
        """The HTTP methods the API view implements (DRF's `options` and `head` aside)."""
        view_class = getattr(self.pattern.callback, "view_class", None) or getattr(
            self.pattern.callback, "cls", None
        )
        return [
            method
            for method in ("get", *API_WRITE_METHODS)
            if view_class is not None and hasattr(view_class, method)
        ]

    def converters(self) -> list[tuple[str, str, str]]:
        """(type, name, the route's text before it) for each path converter."""
        return [
            (match["type"] or "str", match["name"], self.route[: match.start()])
            for match in CONVERTER.finditer(self.route)
        ]

    def fill(self, value: Callable[[str, str, str], str]) -> str:
        """The URL with each converter replaced by `value(type, name, route before it)`."""
        if self.is_regex:
            # A regular expression (allauth's keys): fill every group with a dummy that fits.
            groups = self.pattern.pattern.regex.groupindex
            return reverse(self.name, kwargs={g: "1" if "36" in g else "x1-y2" for g in groups})
        url = self.route
        for match in CONVERTER.finditer(self.route):
            text = value(match["type"] or "str", match["name"], self.route[: match.start()])
            url = url.replace(match[0], text, 1)
        return url

    def fill_each(self, values: dict[str, list[str]]) -> list[str]:
        """Every URL with each converter filled with each candidate value of its type."""
        if self.is_regex:
            return [self.fill(lambda *_: "")]
        urls = [self.route]
        for match in CONVERTER.finditer(self.route):
            options = values[match["type"] or "str"]
            urls = [url.replace(match[0], option, 1) for url in urls for option in options]
        return urls


def url_patterns() -> Iterator[Route]:
    """Every pattern of the project, in URLconf order."""

    def walk(patterns, prefix: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield Route(prefix + str(pattern.pattern), pattern)

    yield from walk(get_resolver().url_patterns, "/")
