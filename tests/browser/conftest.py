"""Playwright against the live server, in Debian's Chromium; skipped with a reason where it is absent."""

import os
import shutil

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Playwright's sync API keeps an event loop in this thread; the ORM calls the test makes
# between browser steps are still synchronous, so Django's async guard must stand aside.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class OneRequestAtATime(WSGIServer):
    """The live server answers one request at a time. On SQLite its threads share the
    test's one in-memory connection, and two requests at once (a page and the vote
    banner's poll) used it together: "bad parameter or other API misuse", a 503, and a
    page that never came. Django closes each connection after its answer when the server
    is not threaded, so the browser's other requests wait their turn in the queue."""

    def __init__(self, *args, connections_override=None, **kwargs):
        # The live server thread has already put the shared connections in place.
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = OneRequestAtATime


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian package 'chromium'); browser tests need it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _cookies_that_last_the_browser_session(settings):
    """The live server runs on the suite's clock (tests/conftest.py), Chromium on the real
    one: cookies without an expiry date last as long as the browser context, whichever day
    each clock says it is."""
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None
