-- The answers every worker of every machine shares (web/api.py): a popular question is
-- answered once for all. The key names the question, its options, the corpus version and the
-- day, so an entry is never served for another corpus. UNLOGGED: a cache is not worth a
-- write-ahead log; after a crash PostgreSQL empties it, and answers are computed again.
CREATE UNLOGGED TABLE answer_cache (
    key text PRIMARY KEY,
    value jsonb NOT NULL,
    created timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX answer_cache_created ON answer_cache (created);
