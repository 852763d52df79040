"""Territorial equity: who gets exposed in a ranked list, against which target, and a re-ranker
that shares exposure fairly among results of comparable relevance.

Definitions (docs/equity.md gives them with the formulas):

- Attribution: a result is attributed to the places it is about (its document's places, else
  the places its text names). Its weight is split equally among those places, and each place
  counts for its sub-territory (conseil de territoire). A result about no place, or about the
  whole territory, is *territory-wide* and reported apart.
- Exposure of a ranked list: position weights w(r) = 1 / log2(1 + r) (DCG's attention model),
  summed per sub-territory over the top k, normalised to shares.
- Target: a blend of population share and equal share, `population_weight` · pop_t / pop +
  (1 − population_weight) / n, raised to at least `minimum`, renormalised. For one question it
  is restricted to the sub-territories that hold relevant content, renormalised: what does not
  exist cannot be exposed (a coverage gap, not a ranking failure).
- Disparity: total variation distance ½ Σ_t |exposure_t − target_t| (0 perfect, 1 worst).
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from cigale.territory import METROPOLIS, Territory


@dataclass(frozen=True)
class Policy:
    # Half population, half equality: residents are counted, yet small territories keep a voice
    # (pure population would give Marseille-Provence 56 %, pure equality 17 %).
    population_weight: float = 0.5
    minimum: float = 0.05  # no sub-territory's target falls below this share


@dataclass(frozen=True)
class Exposure:
    shares: dict[str, float]  # sub-territory id → share of the territory-attributed exposure
    communes: dict[str, float]  # commune INSEE → share of the territory-attributed exposure
    territory_wide: float  # share of the total exposure that went to territory-wide results
    total: float  # sum of the position weights over the list

    def ratio(self, target: dict[str, float]) -> dict[str, float]:
        return {t: (self.shares.get(t, 0.0) / v if v else 0.0) for t, v in target.items()}


def position_weight(rank: int) -> float:
    """Attention at 1-based `rank`: 1 / log2(1 + rank) (Järvelin & Kekäläinen's DCG discount)."""
    return 1.0 / math.log2(1 + rank)


def attribute(places, territory: Territory) -> dict[str, float]:
    """Weight of one result per sub-territory; empty when it is territory-wide or placeless."""
    places = [p for p in places if p != METROPOLIS]
    subs = [territory.subterritory_of(p) for p in places]
    subs = [s.id for s in subs if s is not None]
    if not subs or set(subs) == set(territory.subterritories):
        return {}
    out: dict[str, float] = defaultdict(float)
    for s in subs:
        out[s] += 1.0 / len(subs)
    return dict(out)


def _commune_weights(places, territory: Territory) -> dict[str, float]:
    communes = [territory.commune(p).insee for p in places if territory.commune(p)]
    return {c: 1.0 / len(places) for c in communes} if communes else {}


def exposure(ranked_places, territory: Territory, k: int = 10) -> Exposure:
    """Exposure of a ranked list given each result's places, top `k` only."""
    per_sub: dict[str, float] = defaultdict(float)
    per_commune: dict[str, float] = defaultdict(float)
    wide = total = 0.0
    for rank, places in enumerate(list(ranked_places)[:k], start=1):
        w = position_weight(rank)
        total += w
        weights = attribute(places, territory)
        if not weights:
            wide += w
            continue
        for sub, share in weights.items():
            per_sub[sub] += w * share
        for commune, share in _commune_weights(places, territory).items():
            per_commune[commune] += w * share
    attributed = sum(per_sub.values())
    return Exposure(
        shares={s: v / attributed for s, v in per_sub.items()} if attributed else {},
        communes={c: v / attributed for c, v in per_commune.items()} if attributed else {},
        territory_wide=wide / total if total else 0.0,
        total=total,
    )


def target(territory: Territory, policy: Policy = Policy(), among=None) -> dict[str, float]:
    """The fair share of each sub-territory (restricted to `among`, renormalised, if given)."""
    ids = [s for s in territory.subterritories if among is None or s in set(among)]
    if not ids:
        return {}
    population = {s: territory.population_of(s) for s in ids}
    total = sum(population.values()) or 1
    raw = {s: policy.population_weight * population[s] / total + (1 - policy.population_weight) / len(ids)
           for s in ids}
    floor = min(policy.minimum, 1.0 / len(ids))
    for _ in range(len(ids)):  # raise the smallest to the floor, take it from the others pro rata
        low = {s for s, v in raw.items() if v < floor - 1e-12}
        if not low:
            break
        rest = sum(v for s, v in raw.items() if s not in low)
        room = 1.0 - floor * len(low)
        raw = {s: floor if s in low else v * room / rest for s, v in raw.items()}
    norm = sum(raw.values())
    return {s: v / norm for s, v in raw.items()}


def disparity(shares: dict[str, float], goal: dict[str, float]) -> float:
    """Total variation distance between an exposure and a target (0 = equal, 1 = disjoint)."""
    keys = set(shares) | set(goal)
    return 0.5 * sum(abs(shares.get(k, 0.0) - goal.get(k, 0.0)) for k in keys)


@dataclass
class Candidate:
    key: object  # whatever the caller ranks (a document position)
    relevance: float
    weights: dict[str, float] = field(default_factory=dict)  # attribute(): sub-territory → share


def rerank(candidates: list[Candidate], goal: dict[str, float], tolerance: float, k: int,
           deficit: dict[str, float] | None = None) -> list[Candidate]:
    """Exposure-proportional diversification that only trades between results of comparable
    relevance (in the spirit of PM-2, Dang & Croft 2012, on exposure rather than seats).

    `candidates` come in ranking order. At position r the eligible results are those whose
    relevance is within `tolerance` of the best-ranked one left: relevance first, fairness
    among the relevant. Each sub-territory's shortfall is
    goal_t · W_r − E_t (W_r: the attention of positions 1..r, E_t: what it already received);
    the eligible result that covers the largest shortfall takes the position, the more relevant
    one on a tie, and the most relevant one when no sub-territory is short. `deficit`
    (cumulative under-exposure over past answers, in [-1, 1]) breaks near-ties toward the
    under-exposed (Biega et al. 2018, equity of attention). Returns the first `k` results
    chosen so, then the rest in ranking order.
    """
    remaining = list(candidates)
    received: dict[str, float] = defaultdict(float)
    deficit = deficit or {}
    attention = 0.0
    out = []
    while remaining and len(out) < k:
        w = position_weight(len(out) + 1)
        attention += w
        floor = remaining[0].relevance - tolerance  # the best-ranked left sets the bar
        eligible = [c for c in remaining if c.relevance >= floor]
        short = {t: max(0.0, g * attention - received[t]) / attention * (1 + NEAR_TIE * deficit.get(t, 0.0))
                 for t, g in goal.items()}

        gains = [(round(_gain(c, short), 9), c.relevance, -i) for i, c in enumerate(eligible)]
        best = max(range(len(eligible)), key=lambda i: gains[i])
        pick = eligible[best] if gains[best][0] > 0 else eligible[0]
        out.append(pick)
        remaining.remove(pick)
        for t, share in pick.weights.items():
            received[t] += w * share
    return out + remaining


NEAR_TIE = 0.1  # how much cumulative under-exposure weighs in a sub-territory's shortfall


def _gain(c: Candidate, short: dict[str, float]) -> float:
    """How much of the sub-territories' shortfall a result would cover."""
    return sum(share * short.get(t, 0.0) for t, share in c.weights.items())
