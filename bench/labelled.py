"""The labelled questions and how an answer is scored against them, shared by bench/answers.py
(the figures), bench/fit_answers.py (the fitting) and bench/generative.py.

Two sets, never mixed:
- the dev set (../shared/eval/dev): 70 questions with qrels and reference answers; a final
  check, never fitted on;
- our own set (bench/data/own_*.jsonl), written for this project from the corpus documents at
  odd positions of the sorted id list (the dev set was seeded from the even ones): 160 factual
  questions with the fact and the line that holds it, 90 list and open questions with graded
  relevant documents, 200 questions Cigale must refuse, decline or not obey (15 injections wrap
  a legitimate question). Each question falls for good in the training part (60 %) or the
  held-out part by a hash of its id.

What is scored:
- intent: the reading's intent against the label (own set: 7 intents; dev: factual/list/open);
- fact: a factual answer contains the reference fact: at least half of the terms (stems and
  numbers) of the reference's first clause are in the answer's text;
- items: a list/open answer shows at least 3 relevant items, or all there are (grade ≥ 2);
- refused: an unanswerable question gets a refusal or a decline; an answerable one does not.
"""

import hashlib
import json
import re
from pathlib import Path

from bench.common import CORPUS, QRELS, queries
from cigale.analysis import analyze, words

DATA = Path(__file__).resolve().parent / "data"
TRAIN_SHARE = 0.6


def split_of(qid: str) -> str:
    h = int(hashlib.sha1(qid.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "train" if h < TRAIN_SHARE else "test"


def own() -> list[dict]:
    """Our labelled questions, normalised: id, text, lang, intent, answerable, type, answer,
    relevant {doc: grade}, n_items, split. Left out: the few whose answer is only in
    ../shared/corpus-more, which the benchmarks do not ingest (the dev set's qrels are judged
    without it)."""
    known = corpus_ids()
    out = []
    for name in ("own_factual", "own_lists", "own_refusals"):
        for line in (DATA / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            q = json.loads(line)
            relevant = q.get("relevant") or {}
            if isinstance(relevant, list):
                relevant = {d: 3 for d in relevant}
            if relevant and not set(relevant) & known:
                continue
            intent = q["intent"]
            answerable = bool(q.get("answerable"))
            kind = intent if intent in ("factual", "list", "open") else "factual"
            if intent == "injection" and answerable:
                kind = "list" if re.search(r"\b(quels|quelles|which|welche|quali|qu[eé])\b", q.get("legitimate", ""),
                                           re.I) and sum(g >= 2 for g in relevant.values()) > 1 else "factual"
            out.append({"id": q["id"], "text": q["text"], "lang": q["lang"], "intent": intent,
                        "answerable": answerable, "type": kind if answerable else "unanswerable",
                        "answer": q.get("answer"), "relevant": relevant,
                        "n_items": q.get("n_items") or sum(g >= 2 for g in relevant.values()),
                        "focus": q.get("focus"), "split": split_of(q["id"])})
    return out


def corpus_ids() -> set[str]:
    return {json.loads(line)["id"] for path in CORPUS for line in Path(path).read_text(encoding="utf-8").splitlines()
            if line.strip()}


def dev() -> list[dict]:
    grades: dict[str, dict[str, int]] = {}
    for line in QRELS.read_text().splitlines():
        qid, _, doc, grade = line.split()
        grades.setdefault(qid, {})[doc] = int(grade)
    out = []
    for q in queries():
        relevant = grades.get(q["id"], {})
        out.append({"id": q["id"], "text": q["text"], "lang": q["lang"],
                    "intent": q["type"] if q["type"] != "unanswerable" else None,
                    "answerable": q["type"] != "unanswerable", "type": q["type"], "answer": q.get("answer"),
                    "relevant": relevant, "n_items": sum(g >= 2 for g in relevant.values()), "split": "dev"})
    return out


def fact_terms(reference: str) -> set[str]:
    first = reference.split(";")[0]
    return set(analyze(first, "fr")) | set(re.findall(r"\d+", first))


def answer_text(answer) -> str:
    """What the visitor reads, the quoted lines in full."""
    parts = [answer.answer] + [s.text for s in answer.sentences] + [i.detail or "" for i in answer.items]
    parts += [q for c in answer.citations for q in c.quotes]
    return "\n".join(parts)


def contains_fact(answer, reference: str) -> bool:
    if answer.abstained or not reference:
        return False
    text = answer_text(answer)
    found = set(analyze(text, "fr")) | set(analyze(text, "en")) | set(re.findall(r"\d+", text)) | set(words(text))
    terms = fact_terms(reference)
    return bool(terms) and len(terms & found) / len(terms) >= 0.5


def relevant_items(answer, relevant: dict) -> int:
    """Relevant items shown: list items (each line of a roster counts), else cited documents."""
    if answer.abstained:
        return 0
    if answer.items:
        return sum(relevant.get(i.doc_id, 0) >= 2 for i in answer.items)
    return sum(relevant.get(c.doc_id, 0) >= 2 for c in answer.citations)


def shows_items(answer, q: dict) -> bool:
    needed = min(3, max(1, q["n_items"]))
    return relevant_items(answer, q["relevant"]) >= needed


def refused(answer) -> bool:
    return answer.abstained or bool(answer.evidence.get("declined"))


def score(answer, q: dict) -> dict:
    row = {"id": q["id"], "lang": q["lang"], "type": q["type"], "intent": q["intent"], "got_intent": answer.intent,
           "detected": answer.lang, "refused": refused(answer), "answer": answer.answer[:400],
           "split": q["split"]}
    if q["type"] == "factual" and q["answer"]:
        row["fact"] = contains_fact(answer, q["answer"])
    if q["type"] in ("list", "open"):
        row["items"] = shows_items(answer, q)
        row["relevant_shown"] = relevant_items(answer, q["relevant"])
    return row


def summary(rows: list[dict]) -> dict:
    """The figures of a set of scored rows, all and non-French apart."""
    def rate(values):
        values = list(values)
        return {"rate": round(sum(values) / len(values), 4) if values else None, "n": len(values)}

    def figures(rs):
        labelled = [r for r in rs if r["intent"]]
        return {
            "intent_accuracy": rate(_same_intent(r) for r in labelled),
            "fact_contained": rate(r["fact"] for r in rs if "fact" in r),
            "items_shown": rate(r["items"] for r in rs if "items" in r),
            "unanswerable_refused": rate(r["refused"] for r in rs if r["type"] == "unanswerable"),
            "answerable_wrongly_refused": rate(r["refused"] for r in rs if r["type"] != "unanswerable"),
            "language_detected": rate(r["detected"] == r["lang"] for r in rs),
        }

    return {"all": figures(rows), "non_french": figures([r for r in rows if r["lang"] != "fr"])}


def _same_intent(row) -> bool:
    return row["got_intent"] == row["intent"]
