"""The agency's equity page over real HTTP: Basic authentication, the page, the CSV export, and the
`equity` parameter of the API. The server runs on its own copy of the corpus: it records answers."""

import csv
import html
import io

import httpx
import pytest
from server import start

from cigale.store import open_store
from cigale.territory import load

ADMIN = ("admin", "s3cret")
TERRITORIES = ["Marseille-Provence", "Pays d'Aix", "Pays Salonais", "Pays d'Aubagne et de l'Étoile",
               "Istres-Ouest Provence", "Pays de Martigues"]
OPEN = ["festivals de jazz", "où se baigner en été ?", "quels musées visiter ?"]


@pytest.fixture(scope="module")
def admin_data(tmp_path_factory, copy_of_built):
    return copy_of_built(tmp_path_factory.mktemp("admin") / "data")


@pytest.fixture(scope="module")
def admin_server(admin_data):
    with start(admin_data, admin_key="s3cret") as running:
        yield running


@pytest.fixture
def client(admin_server):
    with httpx.Client(base_url=admin_server.url, timeout=60) as c:
        yield c


@pytest.fixture(scope="module")
def served(admin_server):
    """A few questions asked through the API first, as the website does: three open, one naming a place."""
    with httpx.Client(base_url=admin_server.url, timeout=60) as c:
        for q in [*OPEN, "festivals à Vitrolles"]:
            assert c.get("/api/ask", params={"q": q}).status_code == 200


def answer_log(data):
    store = open_store(data, read_only=True)
    try:
        return store.answer_log()
    finally:
        store.close()


@pytest.mark.parametrize("path", ["/admin", "/admin/audit.csv"])
def test_the_admin_pages_need_credentials(client, path):
    r = client.get(path)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].lower().startswith("basic")
    assert client.get(path, auth=("admin", "wrong")).status_code == 401
    assert client.get(path, auth=("root", "s3cret")).status_code == 401
    assert client.get(path, auth=ADMIN).status_code == 200


def test_the_equity_page_shows_territories_disparity_chart_and_map(client, served, admin_data):
    r = client.get("/admin", auth=ADMIN)

    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = html.unescape(r.text)
    for name in TERRITORIES:
        assert name in page
    assert "Disparité" in page
    assert '<figure class="bars">' in page and page.count('class="exposure"') == 6
    assert page.count('class="target"') == 6
    communes = len(load().communes)
    assert '<figure class="map equity-map">' in page and page.count('<g class="commune ') == communes
    answers = len([entry for entry in answer_log(admin_data) if entry.open and entry.cited])
    assert answers >= len(OPEN) and f"({answers} réponses)" in page  # the question naming Vitrolles is not counted
    assert "Contenus par territoire" in page and "Salon-de-Provence" in page  # a commune without content


def test_the_csv_export_has_one_row_per_territory_and_the_disparity(client, served, admin_data):
    r = client.get("/admin/audit.csv", auth=ADMIN)

    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["territory_id", "territory", "exposure_share", "target_share", "ratio", "answers"]
    territories = rows[1:7]
    assert [row[1] for row in territories] == TERRITORIES
    assert [row[0] for row in territories] == ["CT1", "CT2", "CT3", "CT4", "CT5", "CT6"]
    assert sum(float(row[2]) for row in territories) == pytest.approx(1, abs=1e-3)
    assert sum(float(row[3]) for row in territories) == pytest.approx(1, abs=1e-3)
    assert rows[7][1] == "disparity" and 0 < float(rows[7][2]) <= 1

    log = answer_log(admin_data)
    recorded = [entry for entry in log if entry.open]
    assert len(recorded) >= len(OPEN) and all(entry.cited for entry in recorded)
    assert {entry.question for entry in log if not entry.open} >= {"festivals à Vitrolles"}
    assert {int(row[5]) for row in rows[1:]} == {len(recorded)}


def test_the_equity_parameter_is_on_or_off(client, admin_data):
    for value in ("off", "on"):
        r = client.get("/api/ask", params={"q": "Quels festivals cet été ?", "equity": value})
        assert r.status_code == 200, r.text
        assert answer_log(admin_data)[0].equity is (value == "on")  # newest first
    r = client.get("/api/ask", params={"q": "Quels festivals cet été ?", "equity": "maybe"})
    assert r.status_code == 400 and r.json()["error"]["type"] == "BadRequest"


def test_without_an_admin_key_there_are_no_admin_pages(http):
    assert http.get("/admin").status_code == 404
    assert http.get("/admin", auth=ADMIN).status_code == 404
    assert http.get("/admin/audit.csv", auth=("admin", "")).status_code == 404
