-- Cigale's first PostgreSQL schema: the tables of the embedded SQLite store, typed.
-- Ids are compared byte by byte (COLLATE "C"), as SQLite does, so `iter_chunks` gives the same
-- order on both backends and the (doc_id, ord) index serves it.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
INSERT INTO meta VALUES ('version', '0');

CREATE TABLE documents (
    id text COLLATE "C" PRIMARY KEY,
    title text NOT NULL,
    text text NOT NULL,
    url text,
    source text,
    license text,
    lang text,
    places jsonb NOT NULL,
    theme text,
    audience text,
    published text,
    start text,
    "end" text,
    extra json NOT NULL,  -- json, not jsonb: the partner's keys keep their order
    origin text,
    content_hash text NOT NULL,
    modified text
);

CREATE TABLE chunks (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- never reused: a stale index id finds nothing
    doc_id text COLLATE "C" NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    ord integer NOT NULL,
    start integer NOT NULL,
    "end" integer NOT NULL,
    lang text,
    places jsonb NOT NULL,
    vector_key text NOT NULL
);
CREATE INDEX chunks_doc ON chunks (doc_id, ord);
CREATE INDEX chunks_vector_key ON chunks (vector_key);  -- nearest(): from a vector to its chunks

-- The embedding cache. No fixed dimension: each model has its own, and put_vectors adds a
-- partial HNSW index per (model, dimension) on `embedding::vector(dim)`.
CREATE TABLE vectors (
    key text NOT NULL,
    model text NOT NULL,
    embedding vector NOT NULL,
    PRIMARY KEY (key, model)
);

CREATE TABLE feedback (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created text NOT NULL,  -- ISO 8601 as given, returned verbatim
    question text NOT NULL,
    lang text,
    useful boolean NOT NULL,
    comment text,
    cited jsonb NOT NULL
);

CREATE TABLE exposure (subterritory text PRIMARY KEY, amount double precision NOT NULL);

CREATE TABLE answers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created text NOT NULL,
    question text NOT NULL,
    lang text,
    open boolean NOT NULL,
    equity boolean NOT NULL,
    cited jsonb NOT NULL
);

CREATE TABLE sync_pages (
    source text NOT NULL,
    url text NOT NULL,
    state json NOT NULL,
    PRIMARY KEY (source, url)
);
