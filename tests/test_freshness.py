"""Freshness: content older than the age its kind allows is stale — ranked down for a
time-sensitive question, never left out, and listed for the agency (`cigale coverage --stale`).

Today is Wednesday 28 October 2026; the defaults make news and articles stale after 60 days, pages
and places after 365.
"""

import json
import os
import subprocess
import sys
from datetime import date

import pytest

from cigale import Engine, Settings
from cigale.documents import Document
from cigale.errors import ConfigError
from cigale.freshness import STALE_PENALTY, age, is_stale, kind_of, limits

TODAY = "2026-10-28"
TOWN = "Test partner: Ville d'Aubagne"


def doc(id, title, text, **fields):
    return Document(id, title, text, url=f"https://www.example.org/{id}", source=TOWN, lang="fr", places=("13005",),
                    **fields)


# Hand-written for these tests. The March news matches the questions better than October's.
DOCS = [
    doc("travaux-mars", "Travaux du cours Foch", "Travaux du cours Foch à Aubagne : pendant les travaux du cours "
        "Foch, la circulation est fermée.", published="2026-03-02", extra={"kind": "news"}),
    doc("travaux-octobre", "Cours Foch : réouverture", "Le cours Foch d'Aubagne rouvre à la circulation après les "
        "travaux.", published="2026-10-20", extra={"kind": "news"}),
    doc("mediatheque-2024", "Médiathèque Marcel-Pagnol", "La médiathèque d'Aubagne prête livres, disques et films.",
        modified="2024-05-01T09:00:00Z", extra={"kind": "page"}),
    doc("piscine-2026", "Piscine des Défensions", "La piscine des Défensions d'Aubagne est ouverte toute l'année.",
        modified="2026-09-01", extra={"kind": "page"}),
    doc("feuilleton-rss", "Le feuilleton du cours Foch", "Chronique des travaux du cours Foch.",
        published="Mon, 02 Mar 2026 08:00:00 +0100"),  # an RSS date; no kind: news by its dates
    doc("billet-avril", "Le billet du maire", "Le billet du maire sur la vie du quartier.",
        published="2026-04-15", extra={"kind": "article"}),  # an RSS item, as the sync writes it
    doc("concert-2025", "Concert au Comoedia", "Concert au théâtre Comoedia d'Aubagne.", modified="2025-01-01",
        start="2026-11-14T20:30", extra={"kind": "event"}),  # an event: its dates tell, not its age
    doc("santons", "Santons d'Aubagne", "Aubagne est la ville des santonniers."),  # no date: no age
]


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    data = tmp_path_factory.mktemp("town")
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=data, today=TODAY))
    engine.ingest(documents=DOCS)
    yield engine
    engine.close()


def ranked(engine, question) -> list[str]:
    return [h.doc_id for h in engine.search(question, k=10)]


# --- Definitions ---------------------------------------------------------------------------------

def test_the_age_per_kind_is_a_setting():
    assert limits(Settings().stale_days) == {"news": 60, "article": 60, "page": 365, "place": 365}
    assert limits("news=60, page=365,event=0") == {"news": 60, "page": 365, "event": 0}
    assert limits("") == {}
    with pytest.raises(ConfigError, match="stale_days"):
        limits("news=soixante")


def test_kind_and_age_come_from_the_document():
    by_id = {d.id: d for d in DOCS}
    assert [kind_of(by_id[i]) for i in ("travaux-mars", "mediatheque-2024", "feuilleton-rss", "concert-2025",
                                        "santons")] == ["news", "page", "news", "event", "page"]
    today = date.fromisoformat(TODAY)
    assert age(by_id["mediatheque-2024"], today) == (today - date(2024, 5, 1)).days  # modified, else published
    assert age(by_id["feuilleton-rss"], today) == (today - date(2026, 3, 2)).days
    assert age(by_id["santons"], today) is None
    ages = limits(Settings().stale_days)
    assert {d.id for d in DOCS if is_stale(d, today, ages)} == {"travaux-mars", "mediatheque-2024", "feuilleton-rss",
                                                                 "billet-avril"}


# --- Ranking -------------------------------------------------------------------------------------

def test_a_stale_news_item_ranks_below_a_fresh_one_for_a_time_sensitive_question(town):
    # The March item is the better match: first when time does not matter...
    assert ranked(town, "travaux du cours Foch à Aubagne")[0] == "travaux-mars"
    # ...second when the question asks for the news, or names a period; never left out.
    for question in ("actualités des travaux du cours Foch à Aubagne", "travaux du cours Foch à Aubagne cette "
                     "semaine"):
        order = ranked(town, question)
        assert order.index("travaux-octobre") < order.index("travaux-mars"), question


def test_the_penalty_is_small_and_only_for_stale_content(town):
    question = "actualités des travaux du cours Foch à Aubagne"
    timely = {h.doc_id: h.score for h in town.search(question, k=10)}
    never = Engine.open(settings=town.settings.replace(stale_days=""))  # no kind ever stale
    try:
        calm = {h.doc_id: h.score for h in never.search(question, k=10)}
    finally:
        never.close()
    assert set(timely) == set(calm)  # ranked down, never left out
    for doc_id in calm:
        penalty = STALE_PENALTY if doc_id in ("travaux-mars", "mediatheque-2024", "feuilleton-rss",
                                              "billet-avril") else 0.0
        assert calm[doc_id] - timely[doc_id] == pytest.approx(penalty, abs=1e-5), doc_id


# --- The agency's list ---------------------------------------------------------------------------

def cigale(*args, **env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CIGALE_") and k != "COLUMNS"}
    return subprocess.run([sys.executable, "-m", "cigale.cli", *map(str, args)], capture_output=True, text=True,
                          env={**environ, "COLUMNS": "400", **env}, timeout=180)


@pytest.fixture(scope="module")
def data(town):
    return town.settings.data_dir


def test_coverage_stale_lists_the_old_content_oldest_first(data):
    result = cigale("coverage", "--stale", "--json", "--data", data, CIGALE_TODAY=TODAY)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ["mediatheque-2024", "feuilleton-rss", "travaux-mars", "billet-avril"]
    first = rows[0]
    assert first == {"id": "mediatheque-2024", "title": "Médiathèque Marcel-Pagnol", "source": TOWN,
                     "url": "https://www.example.org/mediatheque-2024", "kind": "page", "age_days": 910,
                     "changed": "2024-05-01"}
    assert "travaux-octobre" not in result.stdout and "concert-2025" not in result.stdout


def test_coverage_stale_as_a_table_and_with_other_ages(data):
    table = cigale("coverage", "--stale", "--data", data, CIGALE_TODAY=TODAY)
    assert table.returncode == 0, table.stderr
    assert "mediatheque-2024" in table.stdout and "910" in table.stdout and "travaux-octobre" not in table.stdout
    lenient = cigale("coverage", "--stale", "--json", "--data", data, CIGALE_TODAY=TODAY,
                     CIGALE_STALE_DAYS="page=1000")
    assert [r["id"] for r in json.loads(lenient.stdout)] == []  # news never stale, the page not yet
    wrong = cigale("coverage", "--stale", "--data", data, CIGALE_STALE_DAYS="news=two months")
    assert wrong.returncode == 2 and wrong.stderr.startswith("cigale: Setting stale_days")
