#!/usr/bin/env bash
# An encrypted backup of the platform's PostgreSQL database (docs/operations.md, "Backups").
#
# pg_dump (custom format) streams into gpg, which encrypts it to a public key whose private
# half is not on this machine. In BACKUP_DIR, for a backup taken at 2026-11-24 02:15:00 UTC:
#
#   governance-20261124T021500Z.dump.gpg         the encrypted dump
#   governance-20261124T021500Z.dump.gpg.sha256  its checksum (sha256sum --check format)
#   governance-20261124T021500Z.manifest.json    checksum, size, key, and the audit chain's
#                                                head in the dump (sequence and hash)
#
# The dump is never on disk unencrypted. Everything is written under temporary names
# (.governance-…) and renamed only when every step has succeeded, the dump last: a failed
# run leaves nothing that looks like a backup. The audit head is read in the very snapshot
# pg_dump dumps (a transaction that exports its snapshot to pg_dump --snapshot), so the
# manifest names the head the dump holds even while the platform keeps writing.
# deploy/restore.sh checks a restore against it.
#
# Then, when BACKUP_OFFSITE is set, the three files are copied there (the dump last), and
# only after that are local backups older than BACKUP_KEEP_DAYS deleted.
#
# Environment:
#   DATABASE_URL          required  the database to back up: postgres://user:password@host:port/name
#   BACKUP_GPG_RECIPIENT  required  the public key to encrypt to (its fingerprint), imported in
#                                   the keyring of the user running this (GNUPGHOME, ~/.gnupg)
#   BACKUP_DIR            required  where the backups are kept on this machine (created if missing)
#   BACKUP_KEEP_DAYS      optional  delete local backups older than this many days (default 14)
#   BACKUP_OFFSITE        optional  also copy each backup there: an absolute directory (a mounted
#                                   disk or share) or [user@]host:path (over ssh, with rsync if it
#                                   is installed, else scp; a key without passphrase, BatchMode)
#   BACKUP_PG_EXEC        optional  a command prefix for pg_dump and psql, when they run elsewhere:
#                                   "docker compose exec -T db" (DATABASE_URL as seen from there)
#
# Exit status: 0 done; 1 a step failed (named on stderr); 2 a missing or wrong setting.
set -euo pipefail
umask 077

PROG=${0##*/}

log() { printf '%s %s\n' "$(date -u +%H:%M:%SZ)" "$*"; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
die() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit 1
}
bad_setting() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit 2
}
json_string() {
  local text=$1
  text=${text//\\/\\\\}
  text=${text//\"/\\\"}
  printf '"%s"' "$text"
}

# --- Settings: all checked before anything is touched -----------------------------------

[ -n "${DATABASE_URL:-}" ] ||
  bad_setting "DATABASE_URL is not set (the database to back up: postgres://user:password@host:port/name)"
case "$DATABASE_URL" in
  postgres://* | postgresql://*) ;;
  *) bad_setting "DATABASE_URL must be a postgres:// URL (an SQLite installation is backed up by copying its file: docs/operations.md)" ;;
esac
[ -n "${BACKUP_GPG_RECIPIENT:-}" ] ||
  bad_setting "BACKUP_GPG_RECIPIENT is not set (the fingerprint of the public key to encrypt the backups to: docs/operations.md)"
[ -n "${BACKUP_DIR:-}" ] ||
  bad_setting "BACKUP_DIR is not set (the directory where the backups are kept)"
KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}
[[ $KEEP_DAYS =~ ^[1-9][0-9]*$ ]] ||
  bad_setting "BACKUP_KEEP_DAYS must be a whole number of days, 1 or more (not '$KEEP_DAYS')"
OFFSITE=${BACKUP_OFFSITE:-}
OFFSITE_KIND=""
if [ -n "$OFFSITE" ]; then
  case "$OFFSITE" in
    /*)
      OFFSITE_KIND=directory
      if [ ! -d "$OFFSITE" ] || [ ! -w "$OFFSITE" ]; then
        bad_setting "BACKUP_OFFSITE=$OFFSITE is not a writable directory (is the disk or share mounted?)"
      fi
      ;;
    *:*) OFFSITE_KIND=remote ;;
    *) bad_setting "BACKUP_OFFSITE must be an absolute directory or [user@]host:path (not '$OFFSITE')" ;;
  esac
fi
PG_EXEC=()
read -r -a PG_EXEC <<<"${BACKUP_PG_EXEC:-}"

for tool in gpg sha256sum find; do
  command -v "$tool" >/dev/null || bad_setting "$tool is not installed"
done
if [ ${#PG_EXEC[@]} -eq 0 ]; then
  for tool in pg_dump psql; do
    command -v "$tool" >/dev/null ||
      bad_setting "$tool is not installed (the PostgreSQL client, as recent as the server)"
  done
fi

RECIPIENT=$BACKUP_GPG_RECIPIENT
# The primary keys' fingerprints (the line after each "pub" line): exactly one must match.
KEYS=$(gpg --batch --with-colons --list-keys -- "$RECIPIENT" 2>/dev/null |
  awk -F: '$1 == "pub" { want = 1; next } want && $1 == "fpr" { print $10; want = 0 }') || true
[ -n "$KEYS" ] ||
  bad_setting "no public key for BACKUP_GPG_RECIPIENT=$RECIPIENT in the keyring ${GNUPGHOME:-~/.gnupg} (import it: gpg --import backup-key.asc)"
[ "$(printf '%s\n' "$KEYS" | wc -l)" = 1 ] ||
  bad_setting "BACKUP_GPG_RECIPIENT=$RECIPIENT matches several keys: give the fingerprint of one"
KEY=$KEYS
if gpg --batch --list-secret-keys -- "$RECIPIENT" >/dev/null 2>&1; then
  warn "the private key of $KEY is on this machine: whoever takes the machine can read the backups (keep it only with the people who restore)"
fi

mkdir -p -- "$BACKUP_DIR" || die "cannot create BACKUP_DIR=$BACKUP_DIR"
[ -w "$BACKUP_DIR" ] || die "BACKUP_DIR=$BACKUP_DIR is not writable"

# --- Names, and what to remove if anything fails -----------------------------------------

NAME=governance-$(date -u +%Y%m%dT%H%M%SZ)
DUMP=$BACKUP_DIR/$NAME.dump.gpg
SUM=$DUMP.sha256
MANIFEST=$BACKUP_DIR/$NAME.manifest.json
TEMP=$BACKUP_DIR/.$NAME.$$
for file in "$DUMP" "$SUM" "$MANIFEST"; do
  [ ! -e "$file" ] || die "$file exists already (another backup in the same second?)"
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/governance-backup.XXXXXX")
SESSION_PID=""
RENAMED=()
DONE=""

cleanup() {
  exec 3>&- 4<&-
  if [ -n "$SESSION_PID" ]; then
    kill "$SESSION_PID" 2>/dev/null || true
    wait "$SESSION_PID" 2>/dev/null || true
  fi
  rm -rf -- "$WORK"
  rm -f -- "$TEMP.dump.gpg" "$TEMP.sha256" "$TEMP.manifest.json"
  if [ -z "$DONE" ] && [ ${#RENAMED[@]} -gt 0 ]; then
    rm -f -- "${RENAMED[@]}"
  fi
}
trap cleanup EXIT
trap 'die "interrupted"' INT TERM HUP
trap 'die "the database session ended unexpectedly (psql above)"' PIPE

# --- A snapshot: the audit head, then pg_dump of that same snapshot ----------------------

log "backup of $NAME: a transaction on the database, to export its snapshot"
mkfifo "$WORK/sql" "$WORK/rows"
"${PG_EXEC[@]}" psql --no-psqlrc --quiet --tuples-only --no-align --set ON_ERROR_STOP=1 \
  --dbname "$DATABASE_URL" <"$WORK/sql" >"$WORK/rows" &
SESSION_PID=$!
exec 3>"$WORK/sql" 4<"$WORK/rows"

query() {
  printf '%s\n' "$1" >&3
  IFS= read -r -t 60 -u 4 REPLY || die "$2"
}
query "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT pg_export_snapshot();" \
  "cannot open a transaction on DATABASE_URL (psql's message above)"
SNAPSHOT=$REPLY
query "SELECT coalesce(max(sequence), 0) || ' ' || coalesce(max(hash), repeat('0', 64)) FROM governance_audithead;" \
  "cannot read the audit head (governance_audithead): is DATABASE_URL the platform's database, migrated?"
read -r HEAD_SEQUENCE HEAD_HASH <<<"$REPLY"
[[ $HEAD_SEQUENCE =~ ^[0-9]+$ && $HEAD_HASH =~ ^[0-9a-f]{64}$ ]] ||
  die "unexpected audit head from the database: '$REPLY'"
query "SELECT current_database();" "cannot read the database's name"
DATABASE=$REPLY
query "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"');" \
  "cannot read the snapshot's time"
TAKEN_AT=$REPLY
PG_DUMP_VERSION=$("${PG_EXEC[@]}" pg_dump --version) || die "pg_dump --version failed"

log "pg_dump of database $DATABASE (audit head #$HEAD_SEQUENCE), encrypted by gpg to key $KEY"
set +e
"${PG_EXEC[@]}" pg_dump --format=custom --snapshot="$SNAPSHOT" --dbname="$DATABASE_URL" |
  gpg --batch --yes --no-tty --quiet --trust-model always --compress-algo none \
    --recipient "$KEY" --encrypt --output "$TEMP.dump.gpg"
STATUS=("${PIPESTATUS[@]}")
set -e
[ "${STATUS[1]}" = 0 ] || die "gpg failed to encrypt to $KEY (exit ${STATUS[1]}, its message above); nothing written"
[ "${STATUS[0]}" = 0 ] || die "pg_dump failed (exit ${STATUS[0]}, its message above); nothing written"
[ -s "$TEMP.dump.gpg" ] || die "gpg wrote an empty file; nothing written"

printf 'COMMIT;\n\\q\n' >&3
exec 3>&- 4<&-
wait "$SESSION_PID" || die "the snapshot's transaction did not end cleanly (psql exit $?)"
SESSION_PID=""

# --- Checksum and manifest; then the names, the dump last --------------------------------

SHA256=$(sha256sum <"$TEMP.dump.gpg") || die "sha256sum failed"
SHA256=${SHA256%% *}
BYTES=$(wc -c <"$TEMP.dump.gpg")
BYTES=${BYTES// /}
printf '%s  %s\n' "$SHA256" "$NAME.dump.gpg" >"$TEMP.sha256" || die "cannot write $SUM"
{
  printf '{\n'
  printf '  "format": "governance backup 1",\n'
  printf '  "file": %s,\n' "$(json_string "$NAME.dump.gpg")"
  printf '  "sha256": "%s",\n' "$SHA256"
  printf '  "bytes": %s,\n' "$BYTES"
  printf '  "taken_at": %s,\n' "$(json_string "$TAKEN_AT")"
  printf '  "database": %s,\n' "$(json_string "$DATABASE")"
  printf '  "pg_dump": %s,\n' "$(json_string "$PG_DUMP_VERSION")"
  printf '  "encrypted_to": "%s",\n' "$KEY"
  printf '  "audit_head": {"sequence": %s, "hash": "%s"}\n' "$HEAD_SEQUENCE" "$HEAD_HASH"
  printf '}\n'
} >"$TEMP.manifest.json" || die "cannot write $MANIFEST"

for pair in "sha256:$SUM" "manifest.json:$MANIFEST" "dump.gpg:$DUMP"; do
  mv -- "$TEMP.${pair%%:*}" "${pair#*:}" || die "cannot rename $TEMP.${pair%%:*} to ${pair#*:}"
  RENAMED+=("${pair#*:}")
done
DONE=yes
log "written: $DUMP ($BYTES bytes, sha256 $SHA256)"

# --- Off-site copy, then pruning ---------------------------------------------------------

if [ -n "$OFFSITE" ]; then
  FILES=("$SUM" "$MANIFEST" "$DUMP")
  if [[ $OFFSITE == *: ]]; then TARGET=$OFFSITE; else TARGET=${OFFSITE%/}/; fi
  log "copy to $OFFSITE"
  copied=yes
  if [ "$OFFSITE_KIND" = directory ]; then
    if command -v rsync >/dev/null; then
      rsync --times -- "${FILES[@]}" "$TARGET" || copied=""
    else
      for file in "${FILES[@]}"; do
        base=${file##*/}
        { cp -- "$file" "$TARGET.$base.partial" && mv -- "$TARGET.$base.partial" "$TARGET$base"; } ||
          copied=""
      done
    fi
    for file in "${FILES[@]}"; do
      cmp -s -- "$file" "$TARGET${file##*/}" || copied=""
    done
  elif command -v rsync >/dev/null; then
    rsync --times -e "ssh -o BatchMode=yes" -- "${FILES[@]}" "$TARGET" || copied=""
  else
    scp -q -p -o BatchMode=yes -- "${FILES[@]}" "$TARGET" || copied=""
  fi
  [ -n "$copied" ] ||
    die "the backup is in $BACKUP_DIR, but copying it to BACKUP_OFFSITE=$OFFSITE failed (message above); nothing pruned"
fi

PRUNED=$(find "$BACKUP_DIR" -maxdepth 1 -type f \
  \( -name 'governance-*.dump.gpg' -o -name 'governance-*.dump.gpg.sha256' \
  -o -name 'governance-*.manifest.json' \) -mmin +$((KEEP_DAYS * 1440)) -print -delete) ||
  die "pruning backups older than $KEEP_DAYS days in $BACKUP_DIR failed"
# What an interrupted run (killed, power cut) may have left under a temporary name.
find "$BACKUP_DIR" -maxdepth 1 -type f -name '.governance-*' -mmin +1440 -delete || true
if [ -n "$PRUNED" ]; then
  log "deleted (older than $KEEP_DAYS days): $(printf '%s\n' "$PRUNED" | sed 's#.*/##' | paste -sd ' ' -)"
fi
log "backup ok: $DUMP, audit head #$HEAD_SEQUENCE $HEAD_HASH${OFFSITE:+, copied to $OFFSITE}"
