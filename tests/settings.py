"""Test settings: the project's settings with TESTING on and a fast password hasher."""

import os
import tempfile

os.environ.setdefault("TESTING", "true")
# The suite signs audit checkpoints with a key of its own, generated outside the worktree.
os.environ.setdefault(
    "AUDIT_SIGNING_KEY_FILE", os.path.join(tempfile.gettempdir(), "gov-tests-audit-signing.key")
)

from governance.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Rate limits stay on (they are tested), but each test starts with an empty cache.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The suite collects no static files: WhiteNoise looks them up per request instead of
# indexing an empty STATIC_ROOT at start-up (and warning about it).
WHITENOISE_AUTOREFRESH = True
