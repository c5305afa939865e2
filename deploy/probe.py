"""Exit 0 when the app server here is ready (GET /ready/ answers 200), 1 otherwise.

The containers' healthcheck: `python deploy/probe.py [URL]`. The request carries the first
of ALLOWED_HOSTS as its Host, since Django refuses a Host it does not serve.
"""

import os
import sys
import urllib.error
import urllib.request

url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/ready/"
host = (os.environ.get("ALLOWED_HOSTS", "").split(",")[0] or "localhost").strip()
try:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Host": host}), timeout=5):
        sys.exit(0)
except (urllib.error.URLError, OSError) as error:
    print(f"not ready: {error}", file=sys.stderr)
    sys.exit(1)
