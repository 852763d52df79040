"""The equity audit: exposure per sub-territory against its target, over a question set or
over the answers actually served, the coverage report (how much content each place has) and
the stale content to refresh (freshness.py).

Definitions are in equity.py and docs/equity.md.
"""

import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from cigale import freshness, when
from cigale.equity import attribute, disparity, exposure, target

MARSEILLE = "13055"


@dataclass
class TerritoryRow:
    id: str
    name: str
    exposure: float  # mean share over the audited lists
    target: float  # mean target over the same lists
    ratio: float | None  # exposure / target (1 = fair); None where the target is 0


@dataclass
class AuditReport:
    source: str  # "questions" or "log"
    lists: int  # ranked lists (or answers) audited: the open questions
    equity: bool | None
    disparity: float  # mean total variation distance to the target
    marseille_share: float  # mean share of exposure given to the commune of Marseille
    territory_wide: float  # mean share of exposure given to territory-wide results
    territories: list[TerritoryRow] = field(default_factory=list)
    ndcg: dict | None = None  # with judgments: nDCG@10 with equity on and off
    gaps: int = 0  # open questions no sub-territory holds relevant content for (coverage, not ranking)

    def as_dict(self) -> dict:
        return asdict(self)


def _report(source, lists, territory, equity) -> AuditReport:
    """Aggregate [(exposure, goal)] into a report."""
    names = {s.id: s.name for s in territory.subterritories.values()}
    if not lists:
        return AuditReport(source, 0, equity, 0.0, 0.0, 0.0,
                           [TerritoryRow(t, n, 0.0, 0.0, 0.0) for t, n in names.items()])
    shares, goals = defaultdict(list), defaultdict(list)
    for shown, goal in lists:
        for t in names:
            shares[t].append(shown.shares.get(t, 0.0))
            goals[t].append(goal.get(t, 0.0))
    rows = []
    for t, name in names.items():
        e, g = statistics.mean(shares[t]), statistics.mean(goals[t])
        rows.append(TerritoryRow(t, name, round(e, 4), round(g, 4), round(e / g, 3) if g else None))
    return AuditReport(
        source=source, lists=len(lists), equity=equity,
        disparity=round(statistics.mean(disparity(s.shares, g) for s, g in lists), 4),
        marseille_share=round(statistics.mean(s.communes.get(MARSEILLE, 0.0) for s, _ in lists), 4),
        territory_wide=round(statistics.mean(s.territory_wide for s, _ in lists), 4),
        territories=rows,
    )


def audit_questions(engine, queries, qrels=None, equity: bool | None = None, k: int = 10) -> AuditReport:
    """Exposure of the top `k` of each open question. With judgments, each question's target is
    restricted to the sub-territories holding relevant documents (grade ≥ 2), and nDCG@10 is
    reported with equity on and off."""
    territory, policy = engine.territory, engine.settings.equity_policy
    relevant: dict[str, list] = defaultdict(list)
    if qrels:
        places = engine.places_of({q.doc_id for q in qrels if q.relevance >= 2})
        for q in qrels:
            if q.relevance >= 2 and q.doc_id in places:
                relevant[q.query_id].append(places[q.doc_id])
    lists, gaps = [], 0
    for q in queries:
        question = engine.question(q.text, lang=q.lang)
        if not question.is_open:
            continue
        among = {t for places in relevant[q.id] for t in attribute(places, territory)} if qrels else None
        if among is not None and not among:
            gaps += 1  # nothing relevant anywhere: a coverage gap, not a ranking to judge
            continue
        hits = engine.search(question, k=k, equity=equity)
        lists.append((exposure([h.places for h in hits], territory, k), target(territory, policy, among=among)))
    report = _report("questions", lists, territory, engine.settings.equity if equity is None else equity)
    report.gaps = gaps
    if qrels:
        from cigale.evaluate import run_search, score

        report.ndcg = {state: score(run_search(engine, queries, k=100, equity=state == "on")[0], qrels)["ndcg@10"]
                       for state in ("on", "off")}
    return report


def audit_log(engine, limit: int = 100_000) -> AuditReport:
    """Exposure of the sources the website cited for open questions, by order of citation."""
    territory, goal = engine.territory, target(engine.territory, engine.settings.equity_policy)
    lists = [(exposure([places for _, places in entry.cited], territory), goal)
             for entry in engine.store.answer_log(limit) if entry.open and entry.cited]
    return _report("log", lists, territory, None)


@dataclass
class CoverageRow:
    code: str
    name: str
    documents: int
    words: int
    population: int

    @property
    def words_per_10k(self) -> float:
        return round(self.words * 10_000 / self.population, 1) if self.population else 0.0


def coverage(engine) -> dict:
    """Documents and words per commune and sub-territory, generated sheets left out: a territory
    with no content cannot be exposed, so the agency must know whose content to collect."""
    territory = engine.territory
    per_commune: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    per_sub: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    docs = engine.store.get_documents(engine.store.document_hashes())
    places = engine.places_of(docs)
    for doc in docs.values():
        if doc.extra.get("synthetic") or doc.extra.get("synthetic_template"):
            continue
        words = len(doc.text.split())
        communes = territory.expand(places.get(doc.id, doc.places))
        for c in communes:
            per_commune[c][0] += 1
            per_commune[c][1] += words
        for s in {territory.communes[c].territory for c in communes}:
            per_sub[s][0] += 1
            per_sub[s][1] += words
    communes = [CoverageRow(c.insee, c.name, *per_commune[c.insee], c.population)
                for c in territory.communes.values()]
    subs = [CoverageRow(s.id, s.name, *per_sub[s.id], territory.population_of(s.id))
            for s in territory.subterritories.values()]
    return {
        "subterritories": sorted(subs, key=lambda r: r.words_per_10k),
        "communes": sorted(communes, key=lambda r: (r.words_per_10k, -r.population)),
        "without_content": [r.name for r in sorted(communes, key=lambda r: -r.population) if not r.documents],
    }


def stale(engine) -> list[freshness.Stale]:
    """The documents past the age the `stale_days` setting gives their kind, oldest first, for
    the agency to ask their partners to refresh; generated sheets left out."""
    settings = engine.settings
    today = when.today(settings.today, getattr(engine.territory, "timezone", when.DEFAULT_TZ))
    docs = engine.store.get_documents(engine.store.document_hashes()).values()
    kept = [d for d in docs if not (d.extra.get("synthetic") or d.extra.get("synthetic_template"))]
    return freshness.stale(kept, today, freshness.limits(settings.stale_days))
