"""Territorial equity: the definitions on hand-made rankings, the target policy, the place
detector that decides what is open, and the re-ranker's guarantees."""

import math

import pytest

from cigale.equity import Candidate, Policy, attribute, disparity, exposure, position_weight, rerank, target
from cigale.territory import load


@pytest.fixture(scope="module")
def amp():
    return load()


def sub_id(amp, commune):
    return amp.subterritory_of(commune).id


# --- Definitions ---------------------------------------------------------------------------------

def test_position_weights_are_the_dcg_discount():
    assert position_weight(1) == 1.0
    assert position_weight(3) == pytest.approx(0.5)
    assert position_weight(10) == pytest.approx(1 / math.log2(11))


def test_a_result_about_several_places_splits_its_weight(amp):
    ct1, ct2 = sub_id(amp, "13055"), sub_id(amp, "13001")
    assert attribute(["13055"], amp) == {ct1: 1.0}
    assert attribute(["13055", "13001"], amp) == {ct1: 0.5, ct2: 0.5}
    assert attribute(["13055", "13022", "13001"], amp) == pytest.approx({ct1: 2 / 3, ct2: 1 / 3})
    assert attribute(["13208"], amp) == {ct1: 1.0}  # an arrondissement is Marseille


def test_results_about_no_place_or_the_whole_territory_are_territory_wide(amp):
    assert attribute([], amp) == {}
    assert attribute(["*"], amp) == {}
    assert attribute(list(amp.subterritories), amp) == {}  # all six: the whole metropolis


def test_exposure_of_a_hand_made_ranking(amp):
    ct1, ct2, ct5 = sub_id(amp, "13055"), sub_id(amp, "13001"), sub_id(amp, "13047")
    # ranks: 1 Marseille, 2 nothing, 3 Aix, 4 Istres + Marseille
    shown = exposure([["13055"], [], ["13001"], ["13047", "13055"]], amp)
    w = [1 / math.log2(1 + r) for r in (1, 2, 3, 4)]
    attributed = w[0] + w[2] + w[3]
    assert shown.shares == pytest.approx({ct1: (w[0] + w[3] / 2) / attributed, ct2: w[2] / attributed,
                                          ct5: (w[3] / 2) / attributed})
    assert shown.territory_wide == pytest.approx(w[1] / sum(w))
    assert shown.communes["13055"] == pytest.approx((w[0] + w[3] / 2) / attributed)
    assert sum(shown.shares.values()) == pytest.approx(1.0)


def test_only_the_top_k_count(amp):
    assert exposure([["13055"]] * 10 + [["13001"]] * 5, amp, k=10).shares == {sub_id(amp, "13055"): 1.0}


def test_disparity_is_total_variation_distance():
    assert disparity({"a": 0.5, "b": 0.5}, {"a": 0.5, "b": 0.5}) == 0.0
    assert disparity({"a": 1.0}, {"b": 1.0}) == 1.0
    assert disparity({"a": 0.7, "b": 0.3}, {"a": 0.4, "b": 0.4, "c": 0.2}) == pytest.approx(0.3)


# --- Target --------------------------------------------------------------------------------------

def test_the_default_target_blends_population_and_equality(amp):
    goal = target(amp)
    ct1 = sub_id(amp, "13055")
    population = {s: amp.population_of(s) for s in amp.subterritories}
    share = population[ct1] / sum(population.values())
    assert goal[ct1] == pytest.approx(0.5 * share + 0.5 / 6)
    assert goal[ct1] == pytest.approx(0.365, abs=0.001)
    assert sum(goal.values()) == pytest.approx(1.0)


def test_policies_and_minimums(amp):
    pure_population = target(amp, Policy(population_weight=1.0, minimum=0.0))
    assert pure_population[sub_id(amp, "13055")] == pytest.approx(0.564, abs=0.001)
    floored = target(amp, Policy(population_weight=1.0, minimum=0.08))
    assert min(floored.values()) == pytest.approx(0.08) and sum(floored.values()) == pytest.approx(1.0)
    assert target(amp, Policy(population_weight=0.0)) == pytest.approx({s: 1 / 6 for s in amp.subterritories})


def test_the_target_of_a_question_covers_only_territories_with_content(amp):
    ct1, ct5 = sub_id(amp, "13055"), sub_id(amp, "13047")
    goal = target(amp, among={ct1, ct5})
    assert set(goal) == {ct1, ct5} and sum(goal.values()) == pytest.approx(1.0)
    assert target(amp, among=set()) == {}


# --- What is an open question --------------------------------------------------------------------

@pytest.mark.parametrize("question, is_open", [
    ("où se baigner ?", True),
    ("quels festivals en juillet ?", True),
    ("which festivals in July?", True),
    ("museums in Aix", False),
    ("plages de La Ciotat", False),
    ("randonnée sur la Sainte-Victoire", False),
    ("où se baigner dans les Calanques ?", False),
    ("pêcher dans l'étang de Berre", False),
    ("labs in the Pays d'Aix", False),
    ("restaurants dans le 13e arrondissement", False),
    ("le salon du livre", True),  # a fair, not Salon-de-Provence
])
def test_the_place_constraint_detector(engine, question, is_open):
    assert engine.question(question).is_open is is_open


def test_landmarks_stand_for_their_communes(engine):
    question = engine.question("randonnée sur la Sainte-Victoire")
    assert {"13109", "13111", "13079"} <= question.communes  # Le Tholonet, Vauvenargues, Puyloubier


# --- The re-ranker's guarantees ------------------------------------------------------------------

def candidates(*specs):
    return [Candidate(key, relevance, weights) for key, relevance, weights in specs]


def test_it_never_promotes_a_result_below_the_tolerance():
    pool = candidates(("a1", 1.00, {"A": 1}), ("a2", 0.98, {"A": 1}), ("a3", 0.97, {"A": 1}),
                      ("b1", 0.50, {"B": 1}))
    order = [c.key for c in rerank(pool, {"A": 0.5, "B": 0.5}, tolerance=0.1, k=4)]
    assert order == ["a1", "a2", "a3", "b1"]  # b1 is 0.5 below: fairness cannot reach it


def test_within_the_tolerance_exposure_is_shared_toward_the_target():
    pool = candidates(("a1", 1.00, {"A": 1}), ("a2", 0.99, {"A": 1}), ("a3", 0.98, {"A": 1}),
                      ("b1", 0.95, {"B": 1}), ("c1", 0.94, {"C": 1}))
    order = [c.key for c in rerank(pool, {"A": 0.4, "B": 0.3, "C": 0.3}, tolerance=0.1, k=5)]
    assert set(order[:3]) == {"a1", "b1", "c1"}
    before = exposure([[k] for k in "AAABC"], _Letters(), k=5).shares
    after = exposure([[k[0].upper()] for k in order], _Letters(), k=5).shares
    goal = {"A": 0.4, "B": 0.3, "C": 0.3}
    assert disparity(after, goal) < disparity(before, goal)


def test_every_step_respects_the_tolerance_from_the_best_remaining():
    pool = candidates(*[(f"x{i}", 1 - i * 0.05, {"ABCD"[i % 4]: 1}) for i in range(12)])
    chosen = rerank(pool, {"A": 0.25, "B": 0.25, "C": 0.25, "D": 0.25}, tolerance=0.12, k=12)
    remaining = sorted(pool, key=lambda c: -c.relevance)
    for c in chosen:
        assert c.relevance >= remaining[0].relevance - 0.12
        remaining.remove(c)


def test_relevance_order_when_no_territory_is_short():
    pool = candidates(("w1", 1.0, {}), ("w2", 0.9, {}), ("w3", 0.8, {}))
    assert [c.key for c in rerank(pool, {"A": 1.0}, tolerance=0.5, k=3)] == ["w1", "w2", "w3"]


def test_cumulative_under_exposure_breaks_near_ties():
    pool = candidates(("a", 1.0, {"A": 1}), ("b", 1.0, {"B": 1}))
    goal = {"A": 0.5, "B": 0.5}
    assert rerank(pool, goal, 0.1, 2, deficit={"A": -1.0, "B": 1.0})[0].key == "b"
    assert rerank(pool, goal, 0.1, 2, deficit={"A": 1.0, "B": -1.0})[0].key == "a"


def test_a_place_constrained_question_is_never_reordered(engine):
    question = engine.question("festivals de jazz à Marseille")
    assert not question.is_open
    assert engine.search(question, k=5, equity=True) == engine.search(question, k=5, equity=False)


def test_an_open_question_is_reranked_only_within_its_candidates(engine):
    on = {h.doc_id for h in engine.search("festivals de musique", k=5, equity=True)}
    off = {h.doc_id for h in engine.search("festivals de musique", k=50, equity=False)}
    assert on <= off


class _Letters:
    """A minimal territory whose places are their own sub-territories (A, B, C...)."""

    subterritories = {x: None for x in "ABCD"}

    def subterritory_of(self, code):
        return type("Sub", (), {"id": code})()

    def commune(self, code):
        return None
