"""The command line: `cigale ingest | search | ask | eval | chat | settings`.

Errors are translated here, and only here: a CigaleError prints its message and exits
with its code; anything else is a bug and keeps its traceback.
"""

import argparse
import json
import sys
import time
from pathlib import Path

from cigale.errors import CigaleError, NotReadyError, QuestionError
from cigale.settings import Mode, Settings, env_name


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except CigaleError as exc:
        print(f"cigale: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("\ncigale: interrupted; the index is as it was before this command.", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cigale", description="An answer engine for a territory.")
    sub = parser.add_subparsers(dest="command")

    def command(name, run, help):
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("--data", metavar="DIR", help="data directory (env CIGALE_DATA, default ./cigale-data)")
        p.set_defaults(func=run)
        return p

    p = command("ingest", cmd_ingest, "Add files or folders (JSONL, Markdown, text, HTML, PDF, CSV) to the index.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--prune", action="store_true", help="remove documents whose source is gone")
    p.add_argument("--csv-map", metavar="FIELD=COLUMN,...", help="CSV column mapping, e.g. title=nom,text=description")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    p = command("sync", cmd_sync, "Bring the partners' sources (sources.toml) up to date: new and changed content "
                "in, removed content out, the unchanged skipped.")
    p.add_argument("--sources", metavar="FILE", help="the sources file (setting `sources`; default: sources.toml "
                   "in the data directory)")
    p.add_argument("--source", action="append", default=[], metavar="NAME",
                   help="sync only this source (its name or partner); repeatable")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")

    for name, run, help in (
        ("search", cmd_search, "Ranked documents for a question."),
        ("ask", cmd_ask, "A short grounded answer with numbered citations."),
    ):
        p = command(name, run, help)
        p.add_argument("question", nargs="?")
        p.add_argument("--lang", help="the question's language (ISO 639-1); detected otherwise")
        p.add_argument("--json", action="store_true", help="print JSON")
        p.add_argument("--queries", metavar="Q.jsonl", help="batch mode: one question per line")
        p.add_argument("--commune", action="append", default=[], help="keep documents about this commune (INSEE)")
        p.add_argument("--territory", action="append", default=[], help="keep documents about this sub-territory")
        p.add_argument("--theme", action="append", default=[], help="keep documents whose theme starts with this")
        p.add_argument("--doc-lang", action="append", default=[], help="keep documents in this language")
        p.add_argument("--equity", choices=("on", "off"), help="equity-aware ranking of open questions "
                       "(default: the `equity` setting, on)")
        p.add_argument("--from", dest="date_from", help="keep events/documents dated on or after (YYYY-MM-DD)")
        p.add_argument("--to", dest="date_to", help="keep events/documents dated on or before (YYYY-MM-DD)")
        if name == "search":
            p.add_argument("--k", type=int, default=10, help="number of results (default 10; 100 for --run)")
            p.add_argument("--mode", choices=[m.value for m in Mode])
            p.add_argument("--run", metavar="OUT.trec", help="batch mode: write a TREC run")
        else:
            p.add_argument("--out", metavar="A.jsonl", help="batch mode: write one answer per line")

    p = command("eval", cmd_eval, "nDCG@10, Recall@20, MRR@10 and latency on a question set.")
    p.add_argument("--queries", required=True, metavar="Q.jsonl")
    p.add_argument("--qrels", required=True, metavar="QRELS")
    p.add_argument("--mode", choices=[m.value for m in Mode])
    p.add_argument("--equity", choices=("on", "off"))
    p.add_argument("--json", action="store_true")

    p = command("audit", cmd_audit, "Territorial equity of the answers: exposure per territory against its target.")
    p.add_argument("--queries", metavar="Q.jsonl", help="questions to audit (open ones count)")
    p.add_argument("--qrels", metavar="QRELS", help="with judgments: targets from relevant documents, and nDCG@10")
    p.add_argument("--log", action="store_true", help="audit the answers the website actually served")
    p.add_argument("--equity", choices=("on", "off"), help="rank the questions with equity on or off")
    p.add_argument("--out", metavar="AUDIT.json", help="also write the report as JSON")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = command("coverage", cmd_coverage, "How much content each commune and territory has in the index.")
    p.add_argument("--json", action="store_true")
    p.add_argument("--stale", action="store_true", help="list the stale documents instead, oldest first (the "
                   "`stale_days` setting gives the age per kind)")

    p = command("serve", cmd_serve, "Start the website and the HTTP API.")
    p.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 8000)")
    p.add_argument("--workers", type=int, help="server processes (default 1)")

    p = sub.add_parser("db", help="The shared PostgreSQL database (setting database_url).",
                       description="The shared PostgreSQL database (setting database_url).")
    db = p.add_subparsers(dest="db_command", required=True)
    p = db.add_parser("upgrade", help="Apply the schema migrations this Cigale needs (idempotent; machines "
                      "upgrading at once take turns).", description="Apply the schema migrations this Cigale needs.")
    p.add_argument("--database-url", metavar="URL", help="the database (setting database_url, env "
                   "CIGALE_DATABASE_URL), e.g. postgresql://cigale@db/cigale")
    p.add_argument("--data", metavar="DIR", help="data directory, for its cigale.toml (env CIGALE_DATA)")
    p.set_defaults(func=cmd_db_upgrade)

    p = sub.add_parser("migrate", help="Copy a store into another without embedding again: the embedded data "
                       "directory into PostgreSQL, or back.",
                       description="Copy documents, chunks, vectors, sync state and activity from one store into "
                       "another (resumable: run again, only what is missing is copied).")
    p.add_argument("--from", dest="source", required=True, metavar="DIR|URL",
                   help="a data directory or a postgresql:// URL")
    p.add_argument("--to", dest="target", required=True, metavar="DIR|URL",
                   help="a data directory (created) or a postgresql:// URL (its schema upgraded)")
    p.add_argument("--keep", action="store_true", help="keep the target's documents the source lacks")
    p.set_defaults(func=cmd_migrate)

    command("init", cmd_init, "Build the starter corpus from the territory pack (idempotent).")
    command("embed-lines", cmd_embed_lines, "Embed the lines answers may quote of the documents ingested before "
            "setting embed_lines was on (resumable; the index is unchanged).")
    command("chat", cmd_chat, "Ask questions interactively in the terminal.")
    command("stats", cmd_stats, "What the data directory holds.")
    command("settings", cmd_settings, "Every setting, its value and where it can be set.")
    return parser


def _engine(args, read_only=False, create=False):
    """The engine on --data; only `ingest` and `init` may create a data directory."""
    from cigale.engine import Engine
    from cigale.errors import NotReadyError

    settings = Settings.load(data_dir=args.data)
    shared = bool(settings.database_url.reveal())  # PostgreSQL: the database says whether there is data
    if not create and not shared and not (settings.data_dir / "cigale.sqlite3").exists():
        raise NotReadyError(f"No Cigale data in {settings.data_dir}: run `cigale init` or `cigale ingest PATH` first.")
    return Engine.open(settings=settings, read_only=read_only, upgrade=create)


def _filters(args):
    from cigale.search import Filters

    return (
        Filters(
            tuple(args.commune),
            tuple(args.territory),
            tuple(args.theme),
            tuple(args.doc_lang),
            args.date_from,
            args.date_to,
        )
        or None
    )


def cmd_ingest(args):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    options = {}
    if args.csv_map:
        pairs = [p.split("=", 1) for p in args.csv_map.split(",") if p]
        if any(len(p) != 2 for p in pairs):
            raise QuestionError("--csv-map takes FIELD=COLUMN pairs separated by commas.")
        options["csv_map"] = dict(pairs)
    engine = _engine(args, create=True)
    console = Console(stderr=True, soft_wrap=True)  # no wrapping at 80 columns in logs
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=args.json,
    ) as bar:
        task = bar.add_task("Embedding chunks and lines", total=None)
        report = engine.ingest(
            args.paths,
            prune=args.prune,
            options=options,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
    else:
        for e in report.failed:
            console.print(f"[red]failed[/red] {e.path}: {e.reason}", highlight=False)
        console.print(
            f"{report.files} files: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.deleted} removed, {len(report.failed)} failed; {report.chunks} chunks "
            f"({report.embedded} embedded), {report.lines} lines embedded in {report.seconds:.1f}s",
            highlight=False,
        )
    return 1 if report.failed and not (report.added or report.updated or report.unchanged) else 0


def cmd_sync(args):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
    from rich.table import Table

    from cigale.ingest.sources import load_sources, select
    from cigale.ingest.sync import sync

    engine = _engine(args, create=True)
    path = Path(args.sources or engine.settings.sources or engine.settings.data_dir / "sources.toml")
    sources = select(load_sources(path, engine.territory), args.source)
    console = Console(stderr=True, soft_wrap=True)
    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=console, transient=True, disable=args.json) as bar:
        tasks = {}

        def progress(source, done, total):
            if source.name not in tasks:
                tasks[source.name] = bar.add_task(source.name, total=total)
            bar.update(tasks[source.name], completed=done, total=total)

        reports = sync(engine, sources, progress)
    if args.json:
        print(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        table = Table(title=f"Sync of {path}")
        columns = ("source", "fetched", "new", "updated", "unchanged", "removed", "refused", "failed", "embedded")
        for column in columns:
            table.add_column(column, justify="left" if column == "source" else "right")
        for r in reports:
            table.add_row(r.name, *(str(v) for v in (r.fetched, r.new, r.updated, r.unchanged, r.removed,
                                                     len(r.refused), len(r.failed), r.embedded)))
        out = Console(soft_wrap=True)
        out.print(table)
        for r in reports:
            if r.error:
                out.print(f"[red]{r.name}: failed[/red]: {r.error}", highlight=False)
            for kind, problems in (("refused", r.refused), ("failed", r.failed)):
                for p in problems[:20]:
                    out.print(f"  {r.name} {kind} {p.url}: {p.reason}", highlight=False)
                if len(problems) > 20:
                    out.print(f"  … and {len(problems) - 20} more {kind} (--json lists them all)")
    return 1 if any(r.error for r in reports) else 0


def cmd_init(args):
    engine = _engine(args, create=True)
    report = engine.ingest_starter()
    print(f"starter corpus for {engine.territory.name}: {report.added} added, {report.updated} updated, "
          f"{report.unchanged} unchanged ({report.embedded} chunks and {report.lines} lines embedded) in "
          f"{engine.settings.data_dir}")


def cmd_embed_lines(args):
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    engine = _engine(args)
    with Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("Embedding lines", total=None)
        done = engine.embed_lines(lambda done, total: bar.update(task, completed=done, total=total))
    print(f"{done} lines embedded; every line answers may quote is in the vector cache")


def cmd_db_upgrade(args):
    from cigale.errors import ConfigError
    from cigale.store.postgres import describe, upgrade

    url = Settings.load(data_dir=args.data, database_url=args.database_url).database_url.reveal()
    if not url:
        raise ConfigError("No database to upgrade: give --database-url URL or set database_url (env "
                          "CIGALE_DATABASE_URL). The embedded SQLite store upgrades itself.")
    applied = upgrade(url)
    for name in applied:
        print(f"applied {name}")
    if not applied:
        print(f"{describe(url)}: up to date")


def cmd_migrate(args):
    from cigale.store import open_store
    from cigale.store.migrate import migrate
    from cigale.store.postgres import describe

    def opened(where: str, writable: bool):
        if where.startswith(("postgresql://", "postgres://")):
            return open_store(None, read_only=not writable, database_url=where, upgrade=writable), describe(where)
        if not writable and not (Path(where) / "cigale.sqlite3").exists():
            raise NotReadyError(f"No Cigale data in {where}: nothing to migrate.")
        return open_store(where, read_only=not writable), where

    source, source_name = opened(args.source, writable=False)
    target, target_name = opened(args.target, writable=True)
    try:
        done = migrate(source, target, exact=not args.keep)
    finally:
        source.close()
        target.close()
    print(f"{source_name} → {target_name}: {done.documents} documents copied ({done.chunks} chunks), "
          f"{done.unchanged} already there, {done.removed} removed; {done.vectors} vectors (none embedded), "
          f"{done.sources} sources' sync state" + (f", {done.feedback} feedback, {done.answers} answers logged"
                                                   if done.activity else "; activity left as it was in the target"))


def cmd_search(args):
    from cigale.evaluate import load_queries, run_search, write_trec

    engine = _engine(args)
    if args.queries:
        if not args.run:
            raise QuestionError("--queries needs --run OUT.trec for search.")
        k = args.k if args.k != 10 else 100
        run, _ = run_search(engine, load_queries(args.queries), k=k, mode=args.mode, equity=_equity(args))
        write_trec(run, args.run, tag=f"cigale-{args.mode or engine.settings.mode.value}")
        print(f"wrote {sum(map(len, run.values()))} lines for {len(run)} questions to {args.run}")
        return
    hits = engine.search(_required(args.question), k=args.k, mode=args.mode, filters=_filters(args), lang=args.lang,
                         equity=_equity(args))
    if args.json:
        print(json.dumps([h.__dict__ for h in hits], ensure_ascii=False, indent=2))
        return
    for rank, h in enumerate(hits, 1):
        places = ", ".join(_place_name(engine, p) for p in h.places[:4])
        print(f"{rank:>2}. {h.title}  [{h.score:.3f}]  {h.doc_id}")
        if places or h.source:
            print(f"    {places}{' · ' if places and h.source else ''}{(h.source or '')[:80]}")
        print(f"    {h.snippet}")


def cmd_ask(args):
    engine = _engine(args)
    if args.queries:
        from cigale.evaluate import load_queries

        if not args.out:
            raise QuestionError("--queries needs --out A.jsonl for ask.")
        queries = load_queries(args.queries)
        with open(args.out, "w", encoding="utf-8") as out:
            for q in queries:
                answer = engine.ask(q.text, lang=q.lang, filters=_filters(args), equity=_equity(args))
                out.write(json.dumps({"id": q.id, **answer.to_dict()}, ensure_ascii=False) + "\n")
        print(f"wrote {len(queries)} answers to {args.out}")
        return
    answer = engine.ask(_required(args.question), lang=args.lang, filters=_filters(args), equity=_equity(args))
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_answer(answer)


def _print_answer(answer):
    print(answer.answer)
    print()
    for c in answer.citations:
        publisher = c.publisher or c.source
        print(f"[{c.n}] {c.title}" + (f" — {publisher}" if publisher else ""))
        if c.url:
            print(f"    {c.url}")
    if answer.places:
        print("\nPlaces: " + ", ".join(f"{p.name} ({p.territory})" for p in answer.places))
    if answer.expert:
        print(f"Expert: {answer.expert.name}" + (f" — {answer.expert.url}" if answer.expert.url else ""))


def cmd_eval(args):
    from cigale.evaluate import latency_summary, load_qrels, load_queries, run_search, score

    engine = _engine(args)
    queries = load_queries(args.queries)
    run_search(engine, queries[:3], k=100, mode=args.mode)  # warm-up: model and caches
    run, latencies = run_search(engine, queries, k=100, mode=args.mode, equity=_equity(args))
    result = {
        "mode": args.mode or engine.settings.mode.value,
        "equity": engine.settings.equity if _equity(args) is None else _equity(args),
        **score(run, load_qrels(args.qrels)),
        "latency": latency_summary(latencies),
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"mode {result['mode']} on {result['questions']} judged questions: nDCG@10 {result['ndcg@10']:.4f}  "
            f"Recall@20 {result['recall@20']:.4f}  MRR@10 {result['mrr@10']:.4f}  "
            f"latency p50 {result['latency']['p50_ms']} ms, p95 {result['latency']['p95_ms']} ms"
        )


def cmd_serve(args):
    import os

    import uvicorn

    from cigale.web.app import server_options

    settings = Settings.load(data_dir=args.data, host=args.host, port=args.port, workers=args.workers)
    engine = _engine(args)  # fails early, with a clear message, when there is nothing to serve
    engine.refresh()  # build the index once here, not in every worker
    engine.close()
    # Workers are new processes: they read their settings from the environment.
    os.environ["CIGALE_DATA"] = str(settings.data_dir.resolve())
    print(f"Cigale is serving {settings.data_dir} at http://{settings.host}:{settings.port}/", flush=True)
    uvicorn.run("cigale.web.app:create_app", factory=True, host=settings.host, port=settings.port,
                workers=settings.workers, log_level="warning", **server_options(settings))


def cmd_audit(args):
    from cigale.audit import audit_log, audit_questions
    from cigale.evaluate import load_qrels, load_queries

    if bool(args.queries) == bool(args.log):
        raise QuestionError("Give either --queries Q.jsonl (with --qrels, optionally) or --log.")
    engine = _engine(args)
    if args.log:
        report = audit_log(engine)
    else:
        qrels = load_qrels(args.qrels) if args.qrels else None
        report = audit_questions(engine, load_queries(args.queries), qrels, equity=_equity(args))
    data = report.as_dict()
    if args.out:
        Path(args.out).write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    what = "answers served" if args.log else "open questions"
    table = Table(title=f"Exposure per territory over {report.lists} {what} (equity {_on(report.equity)})")
    for column in ("territory", "exposure", "target", "exposure / target"):
        table.add_column(column, justify="left" if column == "territory" else "right")
    for row in report.territories:
        ratio = "–" if row.ratio is None else f"{row.ratio:.2f}"
        table.add_row(row.name, f"{row.exposure:.1%}", f"{row.target:.1%}", ratio)
    console = Console(soft_wrap=True)
    console.print(table)
    console.print(f"disparity (total variation distance, 0 = fair) {report.disparity:.3f}; "
                  f"Marseille's share {report.marseille_share:.1%}; territory-wide results {report.territory_wide:.1%}")
    if report.gaps:
        console.print(f"{report.gaps} open questions have no relevant content anywhere (coverage gaps, left out)")
    if report.ndcg:
        console.print(f"nDCG@10 with equity on {report.ndcg['on']:.4f}, off {report.ndcg['off']:.4f}")


def _on(value) -> str:
    return "on" if value else ("off" if value is False else "as served")


def cmd_coverage(args):
    from dataclasses import asdict

    from rich.console import Console
    from rich.table import Table

    from cigale.audit import coverage, stale

    engine = _engine(args)
    if args.stale:
        rows = stale(engine)
        if args.json:
            print(json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False))
            return
        table = Table(title=f"Stale content, oldest first ({len(rows)} documents; stale_days = "
                      f"{engine.settings.stale_days})")
        for column in ("age (days)", "kind", "id", "title", "source", "url"):
            table.add_column(column, justify="right" if column.startswith("age") else "left")
        for r in rows:
            table.add_row(str(r.age_days), r.kind, r.id, r.title, r.source or "", r.url or "")
        Console(soft_wrap=True).print(table)
        return
    report = coverage(engine)
    if args.json:
        print(json.dumps({k: [r.__dict__ | {"words_per_10k": r.words_per_10k} for r in v] if k != "without_content"
                          else v for k, v in report.items()}, indent=2, ensure_ascii=False))
        return
    table = Table(title="Content per territory (thinnest first; generated sheets left out)")
    for column in ("territory", "documents", "words", "population", "words per 10,000 inhabitants"):
        table.add_column(column, justify="left" if column == "territory" else "right")
    for r in report["subterritories"]:
        table.add_row(r.name, str(r.documents), str(r.words), f"{r.population:,}", f"{r.words_per_10k}")
    console = Console(soft_wrap=True)
    console.print(table)
    missing = report["without_content"]
    console.print(f"{len(missing)} communes have no content: {', '.join(missing) if missing else 'none'}")


def cmd_chat(args):
    engine = _engine(args)
    engine.warm()
    print("Cigale — ask about the territory (empty line or Ctrl-D to quit). A follow-up such as "
          "\"et à Aix ?\" refines the question before it.")
    previous = None
    while True:
        try:
            question = input("\n? ").strip()
        except EOFError:
            break
        if not question:
            break
        started = time.perf_counter()
        try:
            r = engine.followup(question, previous)
            if r.followup:
                print(f"→ {r.text}")
            _print_answer(engine.ask(r.text))
            previous = r.text
        except QuestionError as exc:
            print(exc.message)
        print(f"({(time.perf_counter() - started) * 1000:.0f} ms)")


def cmd_stats(args):
    print(json.dumps(_engine(args, read_only=True).stats(), indent=2))


def cmd_settings(args):
    current = Settings.load(data_dir=args.data)
    for name, default, help in Settings.describe():
        value = getattr(current, name)
        value = value.value if hasattr(value, "value") else value
        default = getattr(default, "value", default)
        print(f"{name} = {value!s}    (env {env_name(name)}; default {default!s})\n    {help}")


def _equity(args) -> bool | None:
    return None if not getattr(args, "equity", None) else args.equity == "on"


def _required(question):
    if question is None:
        raise QuestionError("Give a question, or --queries FILE for batch mode.")
    return question


def _place_name(engine, code):
    commune = engine.territory.commune(code)
    if commune:
        return commune.name
    sub = engine.territory.subterritories.get(code)
    return sub.name if sub else code


if __name__ == "__main__":
    sys.exit(main())
