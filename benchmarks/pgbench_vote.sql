-- One vote as raw SQL, for pgbench: the rows `elections.services.cast_vote` writes, in one
-- transaction, on the platform's own tables. Run by benchmarks/load_votes.py as
--
--   pgbench -n -f benchmarks/pgbench_vote.sql -D ballot=ID -D first_member=ID -c C -t N/C DB
--
-- The voter is the next member of the roll (a sequence, so every transaction is a new
-- voter, as in the load test); the rest mirrors the platform's transaction: lock the ballot
-- row, read the voter's roll entry, insert the participation (ON CONFLICT DO NOTHING on the
-- unique constraint, the one-vote guarantee) and the paper with a random key and receipt
-- fingerprint, then lock the audit chain's head, append the event with its hash chained
-- to the previous one, and move the head. What it leaves out is Python: no HTTP, session,
-- permission checks, validation or canonical JSON (the hash here covers less).
SELECT nextval('raw_voter') - 1 + :first_member AS member \gset
BEGIN;
SELECT id, status, closes_at, secret FROM elections_ballot WHERE id = :ballot FOR NO KEY UPDATE;
SELECT weight FROM elections_rollentry WHERE ballot_id = :ballot AND member_id = :member;
INSERT INTO elections_participation (id, ballot_id, member_id, by_proxy)
    VALUES (gen_random_uuid(), :ballot, :member, false)
    ON CONFLICT (ballot_id, member_id) DO NOTHING;
INSERT INTO elections_ballotpaper (id, ballot_id, content, weight, receipt_fingerprint)
    VALUES (gen_random_uuid(), :ballot, '{"choice": "yes"}', 1,
            encode(sha256(convert_to(gen_random_uuid()::text, 'UTF8')), 'hex'));
SELECT sequence + 1 AS seq, hash AS prev,
       encode(sha256(convert_to(hash || (sequence + 1)::text || ':member', 'UTF8')), 'hex') AS next
    FROM governance_audithead WHERE id = 1 FOR UPDATE \gset
INSERT INTO governance_auditevent (sequence, occurred_at, actor_id, actor_label, action,
        object_type, object_id, object_label, old, new, prev_hash, hash)
    VALUES (:seq, now(), NULL, 'pgbench', 'ballot.vote_cast', 'elections.ballot', ':ballot',
            'raw', NULL, jsonb_build_object('voter', :member, 'by_proxy', false), ':prev', ':next');
UPDATE governance_audithead SET sequence = :seq, hash = ':next' WHERE id = 1;
END;
