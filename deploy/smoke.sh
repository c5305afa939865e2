#!/usr/bin/env bash
# The production shape on this machine, without containers (docs/deploy.md, "Smoke test"):
# PostgreSQL and Redis already running, two gunicorn app servers (2 workers each) with
# production settings (DEBUG off, static files collected and served by WhiteNoise, sessions
# and rate limits in Redis, tasks queued in PostgreSQL), the task worker, and nginx in front
# when it is installed. Then it checks, and prints, what a deployment must do:
#
#   1. /health/ and /ready/ answer on each app server (and through nginx over TLS);
#   2. a hashed, compressed static file is served with a year's cache;
#   3. plain HTTP is sent to HTTPS, the probes excepted;
#   4. failed logins sent to the two app servers in turn are counted together (shared rate
#      limit): the first refusal (429) comes at the 11th attempt, not the 41st;
#   5. a ballot opened by an officer queues its invitations in PostgreSQL and the worker
#      process sends them (file-based e-mail into a temporary folder).
#
# Everything it starts is stopped at the end, and its database dropped (KEEP=1 keeps both
# the database and the temporary folder, for a look).
#
# Usage: deploy/smoke.sh   (environment: PGHOST, PGPORT, PGUSER, SMOKE_DB, SMOKE_CACHE_URL,
#                           SMOKE_PORT, PYTHON)
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-.venv/bin/python}
GUNICORN=$(dirname "$PYTHON")/gunicorn
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
DB=${SMOKE_DB:-governance_deploy}
PORT=${SMOKE_PORT:-18100}  # app servers on PORT+1 and PORT+2, nginx on PORT+80 and PORT+443
APP1=$((PORT + 1))
APP2=$((PORT + 2))
LB_HTTP=$((PORT + 80))
LB_HTTPS=$((PORT + 443))
WORK=$(mktemp -d /tmp/governance-smoke.XXXXXX)
PIDS=()

export PGHOST PGPORT PGUSER
export DEBUG=false
# The demo section's secret ballots use its labelled 1-of-1 demonstration key (docs/secrecy.md).
export ELECTIONS_DEMO_SERVER_KEY=true
SECRET_KEY=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY
export ALLOWED_HOSTS=localhost
export SITE_URL=https://localhost
export DATABASE_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB"
export CACHE_URL=${SMOKE_CACHE_URL:-redis://127.0.0.1:6379/14}
export TASKS_BACKEND=database
export EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend
export EMAIL_FILE_PATH="$WORK/mail"
export STATIC_ROOT="$WORK/static"
export WEB_CONCURRENCY=2
export LOG_LEVEL=INFO
# The audit signing key, kept as a deployment keeps it: a file outside the database (docs/deploy.md).
"$PYTHON" -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())' >"$WORK/audit-signing.key"
chmod 600 "$WORK/audit-signing.key"
export AUDIT_SIGNING_KEY_FILE="$WORK/audit-signing.key"

say() { printf '\n== %s\n' "$*"; }
fail() { printf '!! FAILED: %s (logs in %s)\n' "$*" "$WORK" >&2; KEEP=1; exit 1; }

cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${KEEP:-0}" = 1 ]; then
    echo "kept: database $DB, folder $WORK"
  else
    dropdb --if-exists "$DB" || true
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

# GET through curl as the load balancer would forward it (Host served, scheme https), and
# print the status code. Extra arguments go to curl.
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

say "database $DB (fresh), cache $CACHE_URL, folder $WORK"
dropdb --if-exists "$DB"
createdb "$DB"

say "migrate, deployment checks, collectstatic, demo"
"$PYTHON" manage.py migrate --noinput --verbosity 0
# With the production mailer (SMTP): Django refuses the file-based one in a deployment.
env -u EMAIL_BACKEND "$PYTHON" manage.py check --deploy --fail-level WARNING
"$PYTHON" manage.py collectstatic --noinput --verbosity 0
echo "collected: $(find "$STATIC_ROOT" -type f | wc -l) files ($(find "$STATIC_ROOT" -name '*.gz' | wc -l) gzip, $(find "$STATIC_ROOT" -name '*.br' | wc -l) brotli)"
"$PYTHON" manage.py load_demo >"$WORK/load_demo.log" 2>&1 || fail "load_demo"
grep -m 1 'Demo section' "$WORK/load_demo.log"

say "two app servers (gunicorn, $WEB_CONCURRENCY workers each) and the task worker"
for port in "$APP1" "$APP2"; do
  GUNICORN_BIND=127.0.0.1:$port "$GUNICORN" --config deploy/gunicorn.conf.py \
    governance.wsgi:application >"$WORK/app-$port.log" 2>&1 &
  PIDS+=($!)
done
"$PYTHON" manage.py db_worker --no-reload --interval 0.5 >"$WORK/worker.log" 2>&1 &
PIDS+=($!)

ready=""
for _ in $(seq 1 60); do
  if [ "$(status -H 'Host: localhost' "http://127.0.0.1:$APP1/ready/")" = 200 ] &&
    [ "$(status -H 'Host: localhost' "http://127.0.0.1:$APP2/ready/")" = 200 ]; then
    ready=yes
    break
  fi
  sleep 0.5
done
[ -n "$ready" ] || fail "the app servers did not become ready"
for port in "$APP1" "$APP2"; do
  echo "app server :$port /health/ $(status -H 'Host: localhost' "http://127.0.0.1:$port/health/")," \
    "/ready/ $(curl -s -H 'Host: localhost' "http://127.0.0.1:$port/ready/")"
done

LB=""
if command -v nginx >/dev/null && command -v openssl >/dev/null; then
  say "nginx in front (deploy/nginx.conf with local ports and a self-signed certificate)"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -keyout "$WORK/privkey.pem" -out "$WORK/fullchain.pem" 2>/dev/null
  sed -e "s#app1:8000#127.0.0.1:$APP1#; s#app2:8000#127.0.0.1:$APP2#" \
    -e "s#listen 80 #listen $LB_HTTP #; s#listen 443 #listen $LB_HTTPS #" \
    -e "s#/etc/nginx/certs#$WORK#g; s#pid /tmp/nginx.pid#pid $WORK/nginx.pid#" \
    -e "s#return 301 https://\$host\$request_uri#return 301 https://\$host:$LB_HTTPS\$request_uri#" \
    deploy/nginx.conf >"$WORK/nginx.conf"
  nginx -t -q -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log"
  nginx -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" -g 'daemon off;' \
    >"$WORK/nginx-access.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 20); do
    [ "$(status -k "https://localhost:$LB_HTTPS/ready/")" = 200 ] && LB=yes && break
    sleep 0.5
  done
  [ -n "$LB" ] || fail "nginx did not pass requests to the app servers"
  echo "through nginx: https /ready/ $(status -k "https://localhost:$LB_HTTPS/ready/")," \
    "https / $(status -k "https://localhost:$LB_HTTPS/") (to the login)," \
    "https /accounts/login/ $(status -k "https://localhost:$LB_HTTPS/accounts/login/")," \
    "http /ready/ $(status "http://localhost:$LB_HTTP/ready/")," \
    "http / $(status "http://localhost:$LB_HTTP/") (to https)"
  [ "$(status -k "https://localhost:$LB_HTTPS/accounts/login/")" = 200 ] ||
    fail "the login page through nginx"
else
  say "nginx not installed: skipping the load balancer (apt-get install nginx)"
fi

say "static files (WhiteNoise, hashed names, compressed)"
css=$(cd "$STATIC_ROOT" && find . -path './css/*' -name '*.*.css' | head -n 1 | sed 's#^\./##')
[ -n "$css" ] || fail "no hashed stylesheet was collected"
headers=$(curl -s -D - -o /dev/null -H 'Host: localhost' -H 'X-Forwarded-Proto: https' \
  -H 'Accept-Encoding: gzip' "http://127.0.0.1:$APP1/static/$css")
echo "GET /static/$css"
echo "$headers" | grep -iE '^(HTTP|cache-control|content-encoding)' | tr -d '\r'
echo "$headers" | grep -qi 'max-age=315360000' || fail "the hashed file is not cached for long"

say "HTTPS: plain HTTP to an app server is redirected, the probes are not"
echo "GET / over http: $(status -H 'Host: localhost' "http://127.0.0.1:$APP1/")," \
  "with X-Forwarded-Proto https: $(status -H 'Host: localhost' -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$APP1/")," \
  "/ready/ over http: $(status -H 'Host: localhost' "http://127.0.0.1:$APP1/ready/")"
[ "$(status -H 'Host: localhost' "http://127.0.0.1:$APP1/")" = 301 ] || fail "no redirect to HTTPS"

say "rate limits are shared: failed logins sent to app servers :$APP1 and :$APP2 in turn"
login_page=$(curl -s -D "$WORK/login-headers" -H 'Host: localhost' -H 'X-Forwarded-Proto: https' \
  "http://127.0.0.1:$APP1/accounts/login/")
csrf_cookie=$(grep -i '^set-cookie: csrftoken=' "$WORK/login-headers" | sed 's/^[^=]*=\([^;]*\).*/\1/' | tr -d '\r')
csrf_form=$(printf '%s' "$login_page" | grep -o 'name="csrfmiddlewaretoken" value="[^"]*"' | head -n 1 | sed 's/.*value="\([^"]*\)"/\1/')
[ -n "$csrf_cookie" ] && [ -n "$csrf_form" ] || fail "no CSRF token on the login page"
first_refusal=""
outcomes=()
# One account, so allauth's per-account limit applies (5 failed logins in 5 minutes); the
# per-address limit is generous on purpose (a room of members behind one NAT).
login="nobody-$RANDOM@smoke.example"
for attempt in $(seq 1 14); do
  port=$([ $((attempt % 2)) = 1 ] && echo "$APP1" || echo "$APP2")
  code=$(curl -s -o "$WORK/login-answer.html" -w '%{http_code}' -H 'Host: localhost' \
    -H 'X-Forwarded-Proto: https' -H 'Origin: https://localhost' \
    -H "Cookie: csrftoken=$csrf_cookie" \
    --data-urlencode "csrfmiddlewaretoken=$csrf_form" \
    --data-urlencode "login=$login" \
    --data-urlencode "password=wrong-$RANDOM" \
    "http://127.0.0.1:$port/accounts/login/")
  # allauth answers a refused attempt with the form and this message (or 429 past the
  # overall login limit).
  if [ "$code" = 429 ] || grep -q -e 'Too many failed login attempts' -e 'Try again in' "$WORK/login-answer.html"; then
    outcomes+=("$code:refused")
    [ -n "$first_refusal" ] || first_refusal=$attempt
  else
    outcomes+=("$code")
  fi
done
echo "answers: ${outcomes[*]}"
echo "first refusal at attempt ${first_refusal:-none} (allauth: 5 failed logins per account;" \
  "with a cache per process it would come at the 21st: 2 servers x 2 workers x 5)"
[ -n "$first_refusal" ] && [ "$first_refusal" -le 6 ] ||
  fail "the app servers do not share the rate limit"

say "e-mail through the queue and the worker"
queued_before=$("$PYTHON" manage.py shell --verbosity 0 -c \
  "from django_tasks_db.models import DBTaskResult; print(DBTaskResult.objects.count())")
echo "tasks queued by the demo: $queued_before (its tasks run in process, with no mailer)"
"$PYTHON" manage.py shell --verbosity 0 <<'PY'
import datetime as dt

from django.utils import timezone

from elections import services
from elections.models import Ballot
from governance.demo import DEMO_ACCOUNTS
from governance.models import Body, StatuteVersion, User

now = timezone.now()
officer = User.objects.get(email=DEMO_ACCOUNTS[1].email)
article = StatuteVersion.objects.in_force(timezone.localdate()).articles.get(number="14")
ballot = services.create_ballot(
    actor=officer,
    body=Body.objects.get(code="board"),
    title="Smoke test: adopt the deployment",
    question="Does the Board adopt the deployment?",
    kind=Ballot.Kind.ROLL_CALL,
    method=Ballot.Method.YESNO,
    rule_scope="board",
    article=article,
    opens_at=now,
    closes_at=now + dt.timedelta(days=1),
)
services.open_ballot(actor=officer, ballot=ballot)
print(f"opened ballot {ballot.pk} with {ballot.roll.count()} voters on its roll")
PY
done_status=""
for _ in $(seq 1 60); do
  done_status=$("$PYTHON" manage.py shell --verbosity 0 -c "
from django_tasks_db.models import DBTaskResult
task = DBTaskResult.objects.filter(task_path='elections.tasks.send_invitations').order_by('-enqueued_at').first()
print(task.status if task else 'NONE', task.return_value if task and task.status == 'SUCCESSFUL' else '')")
  case "$done_status" in SUCCESSFUL*) break ;; esac
  sleep 1
done
echo "invitation task: $done_status"
case "$done_status" in SUCCESSFUL*) ;; *) fail "the worker did not run the invitation task" ;; esac
sent=$(cat "$WORK"/mail/*.log 2>/dev/null | grep -c '^Subject: Vote open: Smoke test' || true)
echo "messages written by the worker: $sent ($(find "$WORK/mail" -type f | wc -l) file(s) in $WORK/mail)"
[ "$sent" -gt 0 ] || fail "no invitation was written"
grep -E 'Task id=|Task .* (started|succeeded|finished)' "$WORK/worker.log" | tail -n 2 || true

say "logs (stdout of the processes)"
tail -n 3 "$WORK/app-$APP1.log"
[ -z "$LB" ] || tail -n 2 "$WORK/nginx-access.log"

say "smoke test passed"
