-- The vector cache holds the chunks' vectors and those of the lines answers compare, which
-- ingest embeds too (setting embed_lines): several for each chunk. Dense retrieval searches the
-- chunks' alone: `chunk` marks them (apply keeps it true while a chunk uses the vector), and the
-- partial HNSW indexes cover only them; they were searched among all, and the lines crowded the
-- chunks out of each scan. The old indexes are dropped and made again over the chunks' vectors,
-- under the name put_vectors gives them.
ALTER TABLE vectors ADD COLUMN chunk boolean NOT NULL DEFAULT false;
UPDATE vectors SET chunk = true WHERE key IN (SELECT vector_key FROM chunks);
-- Read first: an index cannot be made on a table a loop of this session is still reading.
CREATE TEMPORARY TABLE chunk_spaces ON COMMIT DROP AS
    SELECT DISTINCT model, vector_dims(embedding) AS dim FROM vectors WHERE chunk;

DO $$
DECLARE
    old record;
    made record;
BEGIN
    FOR old IN SELECT indexname FROM pg_indexes WHERE tablename = 'vectors' AND indexname LIKE 'vectors_hnsw_%' LOOP
        EXECUTE format('DROP INDEX %I', old.indexname);
    END LOOP;
    FOR made IN SELECT model, dim FROM chunk_spaces LOOP
        IF made.dim <= 2000 THEN  -- pgvector's HNSW indexes vectors of up to 2,000 dimensions
            EXECUTE format('CREATE INDEX %I ON vectors USING hnsw ((embedding::vector(%s)) vector_ip_ops) '
                           'WHERE model = %L AND vector_dims(embedding) = %s AND chunk',
                           'vectors_chunks_' || left(encode(sha256(convert_to(made.model || '/' || made.dim, 'UTF8')), 'hex'), 16),
                           made.dim, made.model, made.dim);
        END IF;
    END LOOP;
END
$$;
