#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into a new, empty database, and check it
# (docs/operations.md, "Restoring into a fresh database"). Run it on a machine whose gpg
# keyring holds the backup key's private half (an operator's), with this project's code and
# Python environment, and PostgreSQL's client (psql, pg_restore) reaching the target.
#
#   deploy/restore.sh [--force] BACKUP.dump.gpg TARGET_DATABASE_URL
#
#   1. BACKUP's sha256 must match BACKUP.sha256 and the manifest beside it
#      (governance-….manifest.json, written with it);
#   2. the target database must exist and be empty (no table, sequence or view outside the
#      system schemas): `createdb NAME` first. --force restores over a non-empty one, dropping
#      first the objects the dump holds (pg_restore --clean);
#   3. gpg decrypts BACKUP once to check it (its integrity check, and a pg_dump archive
#      inside), writing nothing; then again straight into pg_restore, in a single transaction:
#      a restore that fails leaves the target as it was;
#   4. manage.py verify_audit against the target: the audit chain verifies, and its head is
#      the one the manifest recorded when the backup was taken;
#   5. manage.py recount_published: every published ballot recounts as published.
#
# Exit status: 0 restored and verified; 1 a check or step failed (named on stderr); 2 usage.
# Environment: GNUPGHOME (the keyring with the private key; default ~/.gnupg), PYTHON (default
# .venv/bin/python if there, else python3), SECRET_KEY (a throwaway one if unset: the checks
# sign nothing). The unencrypted dump is never written to disk.
set -euo pipefail
umask 077

PROG=${0##*/}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

log() { printf '%s %s\n' "$(date -u +%H:%M:%SZ)" "$*"; }
die() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit 1
}
usage() {
  printf '%s\n' "usage: $PROG [--force] BACKUP.dump.gpg TARGET_DATABASE_URL" >&2
  [ -z "${1:-}" ] || printf '%s: error: %s\n' "$PROG" "$1" >&2
  exit 2
}

FORCE=""
ARGS=()
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=yes ;;
    -h | --help) usage ;;
    -*) usage "unknown option $arg" ;;
    *) ARGS+=("$arg") ;;
  esac
done
[ ${#ARGS[@]} -eq 2 ] || usage "give the backup file and the target database's URL"
BACKUP=${ARGS[0]}
TARGET=${ARGS[1]}
case "$BACKUP" in
  *.dump.gpg) ;;
  *) usage "the backup file is the .dump.gpg one (not '$BACKUP')" ;;
esac
case "$TARGET" in
  postgres://* | postgresql://*) ;;
  *) usage "the target must be a postgres:// URL (not '$TARGET')" ;;
esac
[ -f "$BACKUP" ] || die "no such file: $BACKUP"
SUMFILE=$BACKUP.sha256
MANIFEST=${BACKUP%.dump.gpg}.manifest.json
[ -f "$SUMFILE" ] || die "no checksum beside the backup: $SUMFILE (backup.sh writes it with the backup)"
[ -f "$MANIFEST" ] || die "no manifest beside the backup: $MANIFEST (backup.sh writes it with the backup)"

if [ -z "${PYTHON:-}" ]; then
  if [ -x "$ROOT/.venv/bin/python" ]; then PYTHON=$ROOT/.venv/bin/python; else PYTHON=python3; fi
fi
for tool in gpg psql pg_restore sha256sum "$PYTHON"; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done

# --- 1. The checksum, against the .sha256 file and the manifest --------------------------

FIELDS=$("$PYTHON" - "$MANIFEST" <<'EOF'
import json
import sys

manifest = json.load(open(sys.argv[1], encoding="utf-8"))
head = manifest["audit_head"]
print(manifest["sha256"], int(head["sequence"]), head["hash"], manifest.get("taken_at", "?"))
EOF
) || die "cannot read the manifest $MANIFEST (message above)"
read -r MANIFEST_SHA256 HEAD_SEQUENCE HEAD_HASH TAKEN_AT <<<"$FIELDS"

log "checking $BACKUP (taken at $TAKEN_AT, audit head #$HEAD_SEQUENCE)"
ACTUAL=$(sha256sum <"$BACKUP") || die "sha256sum failed on $BACKUP"
ACTUAL=${ACTUAL%% *}
EXPECTED=$(cut -d ' ' -f 1 "$SUMFILE")
[ "$ACTUAL" = "$EXPECTED" ] ||
  die "checksum mismatch: $BACKUP has sha256 $ACTUAL, but $SUMFILE says $EXPECTED: the file is damaged or was altered; nothing restored"
[ "$ACTUAL" = "$MANIFEST_SHA256" ] ||
  die "checksum mismatch: $BACKUP has sha256 $ACTUAL, but its manifest says $MANIFEST_SHA256; nothing restored"
log "sha256 ok: $ACTUAL"

# --- 2. The target: reachable, and empty unless --force ----------------------------------

TARGET_INFO=$(psql --no-psqlrc --quiet --tuples-only --no-align --set ON_ERROR_STOP=1 \
  --dbname "$TARGET" --command "SELECT count(*) FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'" \
  --command "SELECT current_database()") ||
  die "cannot connect to the target database (psql's message above); create it first: createdb NAME"
RELATIONS=${TARGET_INFO%%$'\n'*}
TARGET_NAME=${TARGET_INFO#*$'\n'}
RESTORE_OPTIONS=(--no-owner --no-privileges --exit-on-error --single-transaction)
if [ "$RELATIONS" != 0 ]; then
  [ -n "$FORCE" ] ||
    die "the target database $TARGET_NAME is not empty ($RELATIONS tables, sequences, indexes or views): restore into a new one (createdb NAME), or pass --force to restore over it"
  log "the target database $TARGET_NAME is not empty ($RELATIONS relations): --force, the dump's objects are dropped first"
  RESTORE_OPTIONS+=(--clean --if-exists)
fi

# --- 3. Decrypt once to check, then into pg_restore ---------------------------------------

log "decrypting to check it (gpg's integrity check; nothing written)"
set +e
MAGIC=$(gpg --decrypt -- "$BACKUP" | {
  head -c 5
  cat >/dev/null
})
STATUS=("${PIPESTATUS[@]}")
set -e
[ "${STATUS[0]}" = 0 ] ||
  die "gpg could not decrypt $BACKUP (exit ${STATUS[0]}, its message above): not the private key of this keyring, or the file is damaged or was altered; nothing restored"
[ "$MAGIC" = PGDMP ] ||
  die "$BACKUP decrypts, but to something else than a pg_dump archive; nothing restored"

log "pg_restore into $TARGET_NAME (one transaction)"
set +e
gpg --quiet --decrypt -- "$BACKUP" | pg_restore "${RESTORE_OPTIONS[@]}" --dbname "$TARGET"
STATUS=("${PIPESTATUS[@]}")
set -e
[ "${STATUS[1]}" = 0 ] ||
  die "pg_restore failed (exit ${STATUS[1]}, its message above); it ran in one transaction: $TARGET_NAME is as it was"
[ "${STATUS[0]}" = 0 ] ||
  die "gpg failed while decrypting into pg_restore (exit ${STATUS[0]}); do not use $TARGET_NAME: drop it and try again"

# --- 4 and 5. The record in the restored database -----------------------------------------

export DATABASE_URL=$TARGET
if [ -z "${SECRET_KEY:-}" ]; then
  SECRET_KEY=$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(50))')
  export SECRET_KEY
fi
manage() { "$PYTHON" "$ROOT/manage.py" "$@" --no-color; }

if ! manage migrate --check >/dev/null 2>&1; then
  log "note: this code has migrations the restored database has not (manage.py migrate --plan); the checks below may fail until they are applied"
fi

log "manage.py verify_audit"
VERIFIED=$(manage verify_audit) ||
  die "verify_audit: the restored audit chain does not verify (its message above)"
printf '%s\n' "$VERIFIED"
PATTERN='audit chain ok: ([0-9]+) events, head ([0-9a-f]{64})'
[[ $VERIFIED =~ $PATTERN ]] || die "verify_audit printed something unexpected: $VERIFIED"
RESTORED_SEQUENCE=${BASH_REMATCH[1]}
RESTORED_HASH=${BASH_REMATCH[2]}
if [ "$RESTORED_SEQUENCE" != "$HEAD_SEQUENCE" ] || [ "$RESTORED_HASH" != "$HEAD_HASH" ]; then
  die "audit head mismatch: the manifest says #$HEAD_SEQUENCE $HEAD_HASH, the restored database has #$RESTORED_SEQUENCE $RESTORED_HASH"
fi
log "audit head matches the manifest: #$HEAD_SEQUENCE $HEAD_HASH"

log "manage.py recount_published"
manage recount_published ||
  die "recount_published: a published ballot recounts differently in the restored database (above)"

log "restore verified: $TARGET_NAME holds the backup of $TAKEN_AT, audit head #$HEAD_SEQUENCE; to serve it, see docs/operations.md (\"Restoring into a fresh database\")"
