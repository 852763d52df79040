"""Generated answers with a real small model, on the answerable dev questions.

    make llm                                  # once: llama.cpp's server and a Qwen2.5-Coder-1.5B GGUF in .llm/
    python bench/generative.py [--data DIR] [--limit N] [--timeout S]

Starts llama.cpp's OpenAI-compatible server (`python -m llama_cpp.server`) on loopback,
points Cigale at it (CIGALE_LLM_BASE_URL), asks every answerable dev question, and reports:
- the share of answerable questions served as generated answers (not the extractive fallback);
- the share of generated sentences the verifier kept;
- the time a generated answer takes. The verifier's precision and recall on real sentences,
  hand-labelled, are bench/verifier.py's.

Every sentence the model wrote, with the sources it was given and the verdict, goes to
bench/results/generative_sentences.jsonl (or _own). The hand-labelled sentences are a frozen
copy of one such run in bench/data/ (generated_sentences*.jsonl, labels in
generated_labels.jsonl), which bench/verifier.py scores: a new run does not overwrite them.
Writes bench/results/generative.json.
"""

import argparse
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import labelled  # noqa: E402
from bench.common import engine, write  # noqa: E402
from cigale import Engine  # noqa: E402

LLM = ROOT / ".llm"
MODEL = LLM / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
# This run's sentences, for the dev questions (the figures) or our own training questions.
SENTENCES = {"dev": ROOT / "bench" / "results" / "generative_sentences.jsonl",
             "own": ROOT / "bench" / "results" / "generative_sentences_own.jsonl"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(model: Path, port: int) -> subprocess.Popen:
    python = LLM / "venv" / "bin" / "python"
    if not python.exists() or not model.exists():
        sys.exit("bench/generative.py: run `make llm` first (llama.cpp's server and the model, into .llm/)")
    process = subprocess.Popen([str(python), "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
                                "--port", str(port), "--n_ctx", "4096", "--n_threads", "2"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    sys.exit("bench/generative.py: the model server did not start")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(Path(__file__).parent / ".data"))
    parser.add_argument("--model", default=str(MODEL))
    parser.add_argument("--limit", type=int, default=0, help="only the first N answerable questions")
    parser.add_argument("--set", choices=("dev", "own"), default="dev",
                        help="dev: the figures; own: sentences of our training questions, to fit the verifier on")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds a generated answer may take")
    args = parser.parse_args()
    base, _ = engine(args.data)  # ingested (and embedded) once
    base.close()
    port = free_port()
    server = start_server(Path(args.model), port)
    try:
        settings = base.settings.replace(llm_base_url=f"http://127.0.0.1:{port}/v1", llm_model="qwen2.5-coder-1.5b",
                                         llm_timeout=args.timeout, llm_retries=0)
        e = Engine.open(settings=settings)
        e.breaker.limit = 10 ** 6  # measure every question, never rest the model
        if args.set == "dev":
            questions = [q for q in labelled.dev() if q["answerable"]]
        else:  # every fourth answerable training question, for variety across kinds and languages
            questions = [q for q in labelled.own() if q["answerable"] and q["split"] == "train"][::4]
        if args.limit:
            questions = questions[:args.limit]
        rows, sentences = [], []
        for q in questions:
            started = time.perf_counter()
            answer = e.ask(q["text"])
            seconds = time.perf_counter() - started
            log = answer.evidence.get("verification", {})
            checked = log.get("checked", [])
            for i, c in enumerate(checked):
                sentences.append({"id": f"{q['id']}-{i}", "split": args.set, "qid": q["id"], "question": q["text"],
                                  "lang": answer.lang,
                                  "text": c["text"], "claim": c["claim"], "cited": c["cited"],
                                  "sources": log.get("sources", {}), "kept": c["supported"], "why": c["why"]})
            row = {"id": q["id"], "type": q["type"], "kind": answer.kind, "seconds": round(seconds, 1),
                   "fallback": answer.evidence.get("fallback"), "checked": len(checked),
                   "kept": sum(c["supported"] for c in checked), "answer": answer.answer[:500]}
            rows.append(row)
            print(f"{q['id']} {answer.kind:10} {row['kept']}/{row['checked']} {seconds:5.1f}s  "
                  f"{(row['fallback'] or answer.answer)[:90]!r}", flush=True)
        e.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    SENTENCES[args.set].write_text("".join(json.dumps(s, ensure_ascii=False) + "\n" for s in sentences),
                                   encoding="utf-8")
    generated = sum(r["kind"] == "generative" for r in rows)
    checked = sum(r["checked"] for r in rows)
    kept = sum(r["kept"] for r in rows)
    result = {"model": Path(args.model).name, "questions": len(rows),
              "served_generated": round(generated / len(rows), 4) if rows else 0.0,
              "sentences_checked": checked, "sentences_kept": round(kept / checked, 4) if checked else 0.0,
              "seconds_p50": sorted(r["seconds"] for r in rows)[len(rows) // 2] if rows else 0.0, "rows": rows}
    print(f"served as generated answers: {result['served_generated']:.1%} of {len(rows)} answerable questions; "
          f"sentences kept {result['sentences_kept']:.1%} of {checked}")
    write("generative" if args.set == "dev" else "generative_own", result)


if __name__ == "__main__":
    main()
