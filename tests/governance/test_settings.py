"""Production settings pass Django's deployment checks; bad environment values fail loudly."""

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Set by the test run itself (the browser tests allow the ORM beside Playwright's loop);
# a production process has none of them.
HARNESS_VARIABLES = {"DEBUG", "TESTING", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in HARNESS_VARIABLES}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-long-random-production-secret-key-for-the-check-" + "x" * 30,
        ALLOWED_HOSTS="governance.example.org",
        DEBUG="false",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_secret_key_refuses_to_start():
    result = run_manage("check", DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_bad_boolean_in_the_environment_is_an_error():
    result = run_manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


PRODUCTION = {
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-check-" + "x" * 30,
    "ALLOWED_HOSTS": "governance.example.org",
    "DEBUG": "false",
}


def test_production_cookies_are_secure_http_only_and_same_site():
    names = [
        "SESSION_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_SAMESITE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
    ]
    code = f"from django.conf import settings; print([getattr(settings, n) for n in {names!r}])"
    result = run_manage("shell", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    values = dict(zip(names, ast.literal_eval(result.stdout.strip().splitlines()[-1]), strict=True))
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365


def test_production_csp_allows_no_inline_script():
    code = "from django.conf import settings; print(settings.SECURE_CSP['script-src'])"
    result = run_manage("shell", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "unsafe-inline" not in result.stdout
    assert "'self'" in result.stdout
