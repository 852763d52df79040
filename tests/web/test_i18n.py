"""The interface's five languages: every text in each, chosen by link (?lang= or the selector),
by cookie or by the browser's Accept-Language, and a selector that lists them all."""

import string
from html.parser import HTMLParser

import pytest

from cigale.web import i18n

# One text of each page part per language, written out here so that a wrong or missing
# translation fails (the label, the footer and the selector's own name).
EXPECTED = {
    "it": {"label": "La tua domanda", "button": "Chiedi", "nav": "Lingua",
           "footer": "Le risposte citano i contenuti dei partner"},
    "es": {"label": "Tu pregunta", "button": "Preguntar", "nav": "Idioma",
           "footer": "Las respuestas citan contenidos de nuestros socios"},
    "de": {"label": "Ihre Frage", "button": "Fragen", "nav": "Sprache",
           "footer": "Die Antworten zitieren Inhalte unserer Partner"},
}
OWN_NAMES = {"fr": "Français", "en": "English", "it": "Italiano", "es": "Español", "de": "Deutsch"}


class LanguageLinks(HTMLParser):
    """The <html lang>, the selector's aria-label and its links' attributes and text."""

    def __init__(self):
        super().__init__()
        self.html_lang, self.nav_label, self.links, self._in_nav, self._link = None, None, [], False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        elif tag == "nav" and attrs.get("class") == "languages":
            self._in_nav, self.nav_label = True, attrs.get("aria-label")
        elif tag == "a" and self._in_nav:
            self._link = attrs | {"text": ""}

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.links.append(self._link)
            self._link = None
        elif tag == "nav":
            self._in_nav = False


def parsed(html: str) -> LanguageLinks:
    parser = LanguageLinks()
    parser.feed(html)
    return parser


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_language_has_every_text_with_the_same_placeholders():
    assert i18n.LANGUAGES == ("fr", "en", "it", "es", "de")
    reference = i18n.TEXTS["fr"]
    for lang in i18n.LANGUAGES:
        texts = i18n.TEXTS[lang]
        assert set(texts) == set(reference), lang
        for key, text in texts.items():
            if key == "suggest":
                assert len(text) == len(reference[key]) and all(placeholders(s) == {"place"} for s in text), lang
            else:
                assert placeholders(text) == placeholders(reference[key]), (lang, key)
    assert i18n.NAMES == OWN_NAMES


def test_a_link_beats_the_cookie_which_beats_the_browser():
    assert i18n.negotiate("de", "it", "es") == "de"
    assert i18n.negotiate("xx", "it", "es") == "it"  # an unknown choice is ignored
    assert i18n.negotiate(None, None, "pt-BR,pt;q=0.9,es-ES;q=0.8") == "es"  # the first one Cigale speaks
    assert i18n.negotiate(None, None, "pt-BR") == "fr"


@pytest.mark.parametrize("lang", EXPECTED)
@pytest.mark.parametrize("how", ["query", "cookie", "accept-language"])
def test_each_language_is_chosen_by_link_cookie_or_browser(http, lang, how):
    params, cookies, headers = {}, {}, {"accept-language": "fr-FR,fr;q=0.9"}
    if how == "query":
        params["lang"] = lang
    elif how == "cookie":
        cookies["lang"] = lang
    else:
        headers["accept-language"] = f"{lang}-XX,{lang};q=0.9,en;q=0.5"
    html = http.get("/", params=params, cookies=cookies, headers=headers).text
    expected = EXPECTED[lang]
    page = parsed(html)
    assert page.html_lang == lang and page.nav_label == expected["nav"]
    assert f'<label for="q">{expected["label"]}</label>' in html
    assert f'<button type="submit">{expected["button"]}</button>' in html
    assert expected["footer"] in html
    assert "Votre question" not in html and i18n.TEXTS[lang]["tagline"] in html


@pytest.mark.parametrize("lang", EXPECTED)
def test_the_search_and_error_pages_speak_the_language_too(http, lang):
    search = http.get("/search", params={"q": "jazz", "lang": lang}).text
    assert parsed(search).html_lang == lang and f"<h1>{i18n.TEXTS[lang]['search_title']}</h1>" in search
    missing = http.get("/nowhere", cookies={"lang": lang})
    assert missing.status_code == 404 and parsed(missing.text).html_lang == lang
    assert f"<h1>{i18n.TEXTS[lang]['error']} (404)</h1>" in missing.text


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_selector_lists_the_five_languages_in_their_own_names(http, lang):
    page = parsed(http.get("/", params={"q": "jazz"}, cookies={"lang": lang}).text)
    assert [link["text"].strip() for link in page.links] == list(OWN_NAMES.values())
    for link, code in zip(page.links, OWN_NAMES):
        assert link["lang"] == link["hreflang"] == code
        assert link["href"] == f"/lang/{code}?next=/%3Fq%3Djazz"  # back to the same question
    assert [link["lang"] for link in page.links if link.get("aria-current") == "true"] == [lang]


@pytest.mark.parametrize("lang", EXPECTED)
def test_a_choice_by_link_is_remembered(http, lang):
    r = http.get(f"/lang/{lang}", params={"next": "/?q=jazz"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/?q=jazz"
    assert r.cookies["lang"] == lang
    http.cookies.clear()  # a fresh visitor
    r = http.get("/", params={"lang": lang}, headers={"accept-language": "fr"})
    assert r.cookies["lang"] == lang  # ?lang= lasts too: the next question keeps the language
    assert "lang" not in http.get("/", params={"lang": lang}, cookies={"lang": lang}).cookies  # already so


def test_an_unknown_language_falls_back_to_the_browser_then_french(http):
    assert parsed(http.get("/", params={"lang": "xx"}, headers={"accept-language": "de"}).text).html_lang == "de"
    r = http.get("/lang/xx", follow_redirects=False)
    assert r.cookies["lang"] == "fr"
