"""The website in a real browser: Debian's Chromium driven by Playwright, axe-core for accessibility.

Screenshots land in docs/screenshots/ (named in the README).
"""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from cigale.store import open_store

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
AXE = ROOT / ".deps" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: `make test` installs it with apt-get"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server):
    # bypass_csp lets the test inject axe-core; the page itself never needs it.
    context = browser.new_context(base_url=server.url, viewport={"width": 1100, "height": 900}, locale="fr-FR",
                                  bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def accessibility_problems(page) -> list[str]:
    """Serious and critical axe-core violations on the current page."""
    assert AXE.exists(), f"{AXE} missing: `make test` installs axe-core from the npm registry"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def ask(page, question: str):
    page.fill("#q", question)
    page.keyboard.press("Enter")
    expect(page.locator("#answer-text")).to_have_attribute("aria-busy", "false", timeout=30_000)
    expect(page.locator(".sources")).to_be_visible(timeout=30_000)


def test_the_empty_page_invites_a_question_about_the_whole_territory(page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto("/")
    assert page.evaluate("document.activeElement.id") == "q"  # the box has the focus
    assert page.get_attribute("html", "lang") == "fr"
    suggestions = page.locator(".suggestions a").all_inner_texts()
    assert len(suggestions) == 6 and sum("Marseille" in s for s in suggestions) <= 1
    page.screenshot(path=SHOTS / "empty.png", full_page=True)
    assert accessibility_problems(page) == []


def test_a_question_streams_its_answer_with_citations_and_places_on_the_map(page):
    page.goto("/")
    ask(page, "festivals de jazz à Vitrolles")
    assert page.url.endswith("/?q=festivals%20de%20jazz%20%C3%A0%20Vitrolles")
    answer = page.locator("#answer-text")
    assert answer.get_attribute("lang") == "fr" and answer.get_attribute("aria-live") == "polite"
    assert "Jazz" in answer.inner_text()
    marker = page.locator("#answer-text a.cite").first
    assert marker.get_attribute("href") == "#source-1"
    expect(page.locator("#source-1")).to_contain_text("Charlie Jazz Festival")
    expect(page.locator("#source-1 .publisher")).to_contain_text("Ville de Vitrolles")
    cited = page.eval_on_selector_all("svg a.commune.cited title", "nodes => nodes.map(n => n.textContent)")
    assert "Vitrolles" in cited
    assert page.locator("svg a.commune").count() == 92
    assert page.locator(".related a").count() >= 1
    page.screenshot(path=SHOTS / "answer-fr.png", full_page=True)
    assert accessibility_problems(page) == []


def test_the_follow_up_box_refines_the_answer_and_shows_the_question_understood(page):
    page.goto("/")
    ask(page, "festivals de jazz à Marseille")
    box = page.get_by_label("Une précision ?")  # the box under the answer, arrived with the sources
    box.fill("et à Vitrolles ?")
    box.press("Enter")
    expect(page.locator(".understood")).to_have_text(
        "Votre question « et à Vitrolles ? », comprise comme : festivals de jazz à Vitrolles")
    assert page.input_value("#q") == "festivals de jazz à Vitrolles"
    expect(page.locator("#source-1")).to_contain_text("Charlie Jazz Festival")
    assert accessibility_problems(page) == []


@pytest.fixture(scope="module")
def records_page(browser, answers_data, tmp_path_factory):
    """A page of a server over the partner-shaped records (festivals in several territories)."""
    import shutil

    from server import start

    data = tmp_path_factory.mktemp("records") / "data"
    shutil.copytree(answers_data, data)
    with start(data) as running:
        context = browser.new_context(base_url=running.url, viewport={"width": 1100, "height": 900}, locale="fr-FR",
                                      bypass_csp=True)
        yield context.new_page()
        context.close()


def test_a_list_answer_streams_as_a_list_across_the_territory(records_page):
    page = records_page
    page.goto("/")
    ask(page, "festivals de jazz")
    expect(page.locator("#answer-text .frame")).to_have_text("Voici des festivals sur tout le territoire :")
    items = page.locator("#answer-text ul.items li")
    assert items.count() >= 4
    assert all(item.locator("a.cite").count() == 1 for item in items.all())
    expect(page.locator(".expert")).to_contain_text("Provence Tourisme")
    page.screenshot(path=SHOTS / "list-fr.png", full_page=True)
    assert accessibility_problems(page) == []


def test_a_refusal_says_so_and_names_the_expert(records_page):
    page = records_page
    page.goto("/")
    ask(page, "horaires d'ouverture de la piscine d'Istres")
    expect(page.locator("#answer-text")).to_contain_text("Je n'ai pas trouvé de réponse fiable")
    expect(page.locator("#answer-text")).to_have_class("answer-text abstained")
    link = page.locator(".expert a")
    expect(link).to_have_text("Mairie d'Istres")
    assert link.get_attribute("href") == "https://www.istres.fr/"  # the town hall's own site, from the pack
    page.screenshot(path=SHOTS / "refusal-fr.png", full_page=True)
    assert accessibility_problems(page) == []


def test_switching_to_english_is_remembered_and_answers_follow_the_question(page):
    page.goto("/")
    page.get_by_role("navigation", name="Langue").get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("label[for=q]")).to_have_text("Your question")
    page.goto("/")
    assert page.get_attribute("html", "lang") == "en"  # remembered (cookie)
    ask(page, "Which train lines stop at Miramas station?")
    assert page.locator("#answer-text").get_attribute("lang") == "en"
    expect(page.locator("#source-1")).to_contain_text("Gare de Miramas")
    page.screenshot(path=SHOTS / "answer-en.png", full_page=True)
    assert accessibility_problems(page) == []


# A question per language about one document of the test corpus, and what the page then says.
IN_LANGUAGE = {
    "it": ("Lingua", "Italiano", "La tua domanda", "Quali treni fermano alla stazione di Miramas?", "Fonti"),
    "es": ("Idioma", "Español", "Tu pregunta", "¿Qué trenes paran en la estación de Miramas?", "Fuentes"),
    "de": ("Sprache", "Deutsch", "Ihre Frage", "Welche Züge halten am Bahnhof Miramas?", "Quellen"),
}


@pytest.mark.parametrize("lang", IN_LANGUAGE)
def test_the_language_selector_switches_to_each_language_accessibly(page, lang):
    nav_label, name, label, question, sources = IN_LANGUAGE[lang]
    page.goto("/")
    selector = page.get_by_role("navigation", name="Langue")
    assert selector.get_by_role("link").all_inner_texts() == ["Français", "English", "Italiano", "Español",
                                                               "Deutsch"]
    selector.get_by_role("link", name=name).click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("label[for=q]")).to_have_text(label)
    current = page.get_by_role("navigation", name=nav_label).locator("a[aria-current=true]")
    expect(current).to_have_text(name)
    assert current.get_attribute("hreflang") == lang
    assert accessibility_problems(page) == []
    ask(page, question)
    assert page.locator("#answer-text").get_attribute("lang") == lang
    expect(page.locator("#sources-title")).to_have_text(sources)
    expect(page.locator("#source-1")).to_contain_text("Gare de Miramas")
    assert page.get_attribute("html", "lang") == lang  # the cookie kept it across the question
    assert accessibility_problems(page) == []


def test_feedback_is_sent_and_stored(page, web_data):
    page.goto("/")
    ask(page, "Où voir des santons ?")
    page.fill("#comment", "Très utile pour Noël")
    page.get_by_role("button", name="Utile", exact=True).click()
    expect(page.locator(".feedback .status")).to_have_text("Merci, votre avis est enregistré.")
    stored = open_store(web_data, read_only=True).feedback(limit=10)
    assert any(f.comment == "Très utile pour Noël" and f.useful for f in stored)


def test_the_keyboard_alone_is_enough(page):
    page.goto("/")
    page.wait_for_load_state("networkidle")  # on a loaded machine a late script could move the focus after the click
    page.mouse.click(2, 2)  # start sequential navigation from the top of the page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    page.wait_for_url("**/#main")
    page.keyboard.press("Tab")  # the skip link moved the starting point past the header
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("musée Ziem à Martigues")
    page.keyboard.press("Enter")
    expect(page.locator("#answer-text")).to_have_attribute("aria-busy", "false", timeout=30_000)
    expect(page.locator(".sources")).to_be_visible()
    # Tab from the box reaches the first citation marker; Enter follows it to its source card.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('cite')"):
            break
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#source-1"
    page.keyboard.press("Enter")
    assert page.url.endswith("#source-1")


def test_the_site_works_with_javascript_disabled(browser, server, web_data):
    context = browser.new_context(base_url=server.url, java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto("/")
    page.fill("#q", "gare de Miramas")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "q=gare+de+Miramas" in page.url
    expect(page.locator("#answer-text")).to_contain_text("Miramas")
    expect(page.locator("#source-1")).to_contain_text("Gare de Miramas")
    page.fill("#comment", "Sans JavaScript")
    with page.expect_navigation():
        page.get_by_role("button", name="Pas utile").click()
    expect(page.locator(".thanks")).to_be_visible()
    assert any(f.comment == "Sans JavaScript" and not f.useful
               for f in open_store(web_data, read_only=True).feedback(limit=10))
    context.close()


def test_the_phone_layout(browser, server):
    context = browser.new_context(base_url=server.url, viewport={"width": 390, "height": 844}, is_mobile=True,
                                  locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    page.goto("/?q=" + "festivals de jazz")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=SHOTS / "phone.png", full_page=True)
    assert accessibility_problems(page) == []
    context.close()


def test_dark_mode_keeps_contrast(browser, server):
    context = browser.new_context(base_url=server.url, color_scheme="dark", locale="en-GB", bypass_csp=True)
    page = context.new_page()
    page.goto("/?q=" + "jazz festivals")
    assert page.get_attribute("html", "lang") == "en"  # Accept-Language respected
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(17, 19, 22)"
    assert accessibility_problems(page) == []
    context.close()


def test_ingested_text_cannot_inject_script(browser, server, web_data):
    """A hostile document's title and text are shown as text, never run."""
    from cigale import Engine, Settings
    from cigale.documents import Document

    engine = Engine.open(settings=Settings.load(environ={}, data_dir=web_data))
    engine.ingest(documents=[Document(
        "hostile", 'Festival <img src=x onerror="window.pwned=1"><script>window.pwned=2</script>',
        "Festival des calanques hostiles <script>window.pwned=3</script> à Cassis.",
        url="javascript:window.pwned=4", source="<b>Evil</b>", places=("13022",))])
    engine.close()
    context = browser.new_context(base_url=server.url, bypass_csp=True)  # escaping alone must hold
    page = context.new_page()
    page.goto("/?q=" + "festival des calanques hostiles à Cassis")
    expect(page.locator("#source-1")).to_contain_text("<script>")  # shown as text
    assert page.evaluate("window.pwned") is None
    assert page.locator("#source-1 a[href^='javascript']").count() == 0
    context.close()


def test_screenshots_are_named_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    assert "docs/screenshots/" in readme
    assert json.dumps(sorted(p.name for p in SHOTS.glob("*.png"))) != "[]"
