"""Readers: each supported file format becomes documents, and every unusable input becomes a
`SourceError` that names the file (and the line, for a single bad record) and says why."""

import codecs
import errno
import json
import os
import random
import re
import signal
import sys
import tracemalloc
import warnings
from contextlib import contextmanager
from pathlib import Path

import pytest

from cigale.errors import SourceError
from cigale.ingest import readers

sys.path.insert(0, str(Path(__file__).parents[2] / "scripts"))
from hostile_files import minimal_pdf  # noqa: E402  (one hand-written PDF for the tests and the fuzz corpus)


def read_all(path, doc_id=None, options=None):
    """Everything a reader yields for `path`: documents and per-record SourceErrors."""
    return list(readers.read(path, doc_id or path.name, options))


def documents(items):
    return [i for i in items if not isinstance(i, SourceError)]


def errors(items):
    return [i for i in items if isinstance(i, SourceError)]


class Overrun(BaseException):
    """Not an Exception, so that no `except Exception` (nor `except OSError`) in Cigale absorbs it."""


@contextmanager
def deadline(seconds: int):
    """Fail instead of hanging when the block runs longer than `seconds` (SIGALRM: main thread only)."""

    def expired(signum, frame):
        raise Overrun(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def jsonl(path, *lines):
    """Write raw lines (dicts are serialised, strings written as they are)."""
    text = "\n".join(json.dumps(x, ensure_ascii=False) if isinstance(x, dict) else x for x in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


# --- JSONL -------------------------------------------------------------------------------------------


def test_jsonl_reads_one_document_per_line_with_every_schema_field(tmp_path):
    record = {
        "id": "musee-granet", "title": "Musée Granet", "text": "Le musée Granet expose des beaux-arts à Aix.",
        "url": "https://example.org/granet", "source": "Test partner: Ville d'Aix", "license": "CC-BY-4.0",
        "lang": "fr", "places": ["13001"], "theme": "culture/musée", "audience": "familles",
        "published": "2025-05-01", "start": "2026-06-01", "end": "2026-09-30",
    }
    path = jsonl(tmp_path / "musees.jsonl", record, {"id": "b", "title": "B", "text": "Deuxième document."})

    docs = read_all(path)

    assert [d.id for d in docs] == ["musee-granet", "b"]
    granet = docs[0]
    for key, value in record.items():
        expected = tuple(value) if key == "places" else value
        assert getattr(granet, key) == expected, key
    assert granet.origin == str(path)
    assert granet.extra == {}


def test_ndjson_extension_is_read_as_jsonl(tmp_path):
    path = jsonl(tmp_path / "export.ndjson", {"id": "n1", "title": "N", "text": "Un texte."})
    assert [d.id for d in read_all(path)] == ["n1"]


def test_jsonl_insee_and_category_are_aliases_of_places_and_theme(tmp_path):
    path = jsonl(tmp_path / "shared.jsonl",
                 {"id": "piano", "title": "Piano", "text": "Festival.", "insee": [13084, "13001"],
                  "category": "culture/festival"})

    (doc,) = read_all(path)

    assert doc.places == ("13084", "13001")
    assert doc.theme == "culture/festival"
    assert "insee" not in doc.extra and "category" not in doc.extra


def test_jsonl_unknown_fields_are_kept_in_extra(tmp_path):
    path = jsonl(tmp_path / "x.jsonl",
                 {"id": "x", "title": "X", "text": "Texte.", "capacity": 1200, "tags": ["jazz", "plein air"],
                  "organiser": {"name": "Ville"}})

    (doc,) = read_all(path)

    assert doc.extra == {"capacity": 1200, "tags": ["jazz", "plein air"], "organiser": {"name": "Ville"}}


def test_jsonl_broken_line_is_reported_with_path_and_line_while_the_other_lines_load(tmp_path):
    path = jsonl(
        tmp_path / "mixed.jsonl",
        {"id": "ok-1", "title": "Un", "text": "Premier."},
        "",  # blank lines are skipped but still counted
        '{"id": "broken", "title": "Deux", "text": "pas fini',
        {"id": "ok-2", "title": "Trois", "text": "Troisième."},
    )

    items = read_all(path)

    assert [d.id for d in documents(items)] == ["ok-1", "ok-2"]
    (error,) = errors(items)
    assert error.path == f"{path}:3"
    assert "invalid JSON" in error.reason
    assert str(error).startswith(f"{path}:3: ")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ({"id": "a", "text": "Sans titre."}, "missing required field(s): title"),
        ({"id": "a", "title": "Sans texte"}, "missing required field(s): text"),
        ({"title": "T", "text": ""}, "missing required field(s): id, text"),
        ({"id": "a", "title": "T", "text": ["pas", "une", "chaîne"]}, "field 'text' must be a string"),
        ({"id": "a", "title": "T", "text": "x", "places": {"13001": True}}, "'places' must be a list"),
        ('["not", "an", "object"]', "must be a JSON object"),
    ],
)
def test_jsonl_record_without_required_fields_is_reported_for_its_line(tmp_path, line, reason):
    path = jsonl(tmp_path / "bad.jsonl", {"id": "good", "title": "G", "text": "Bon."}, line)

    items = read_all(path)

    assert [d.id for d in documents(items)] == ["good"]
    (error,) = errors(items)
    assert error.path == f"{path}:2"
    assert reason in error.reason


def test_jsonl_record_whose_text_holds_a_unicode_line_separator_stays_one_record(tmp_path):
    path = jsonl(tmp_path / "web.jsonl",
                 {"id": "a", "title": "Copié du web", "text": "Première ligne\u2028seconde ligne."},
                 "{broken",
                 {"id": "b", "title": "B", "text": "Suivant."})

    items = read_all(path)

    assert [d.id for d in documents(items)] == ["a", "b"]
    assert documents(items)[0].text == "Première ligne\u2028seconde ligne."
    assert [e.path for e in errors(items)] == [f"{path}:2"]


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("[" * 100_000, id="deeper-than-the-parser-goes"),  # json.loads raises RecursionError
        # Parsed, but hashing or storing the document would exhaust the recursion limit and abort the ingest.
        pytest.param('{"id": "p", "title": "T", "text": "x", "extra": ' + "[" * 500 + "]" * 500 + "}",
                     id="too-deep-to-store"),
    ],
)
def test_jsonl_line_nested_too_deeply_is_reported_for_its_line_while_the_others_load(tmp_path, line):
    path = jsonl(tmp_path / "deep.jsonl", {"id": "a", "title": "A", "text": "Premier."}, "", line,
                 {"id": "b", "title": "B", "text": "Dernier."})

    items = read_all(path)

    assert [d.id for d in documents(items)] == ["a", "b"]
    (error,) = errors(items)
    assert error.path == f"{path}:3"
    assert error.reason == f"JSON nested too deeply (more than {readers.MAX_JSON_DEPTH} levels)"


def test_jsonl_record_nested_as_deeply_as_allowed_is_read(tmp_path):
    depth = readers.MAX_JSON_DEPTH - 1  # the record itself is the first level
    path = jsonl(tmp_path / "deep.jsonl", '{"id": "a", "title": "T", "text": "x", "extra": '
                 + "[" * depth + "]" * depth + "}")

    (doc,) = read_all(path)

    assert doc.id == "a"


# --- Markdown ----------------------------------------------------------------------------------------

MARKDOWN = """---
title: "Le marché de Trets"
places: [13110, 13001]
theme: commerce/marché
author: Office de tourisme
---
# Un titre de section

Le **marché provençal** de Trets se tient le *vendredi* matin, voir [le site de la ville](https://www.ville-trets.fr).

- Fruits et légumes
- `Produits` locaux

> Une citation du maire.
![photo du marché](img/marche.jpg)
"""


def test_markdown_front_matter_gives_title_places_and_metadata(tmp_path):
    path = tmp_path / "trets.md"
    path.write_text(MARKDOWN, encoding="utf-8")

    (doc,) = read_all(path, "guides/trets.md")

    assert doc.id == "guides/trets.md"
    assert doc.title == "Le marché de Trets"
    assert doc.places == ("13110", "13001")
    assert doc.theme == "commerce/marché"
    assert doc.extra == {"author": "Office de tourisme"}
    assert "---" not in doc.text and "title:" not in doc.text


def test_markdown_body_is_plain_text_without_links_emphasis_or_markers(tmp_path):
    path = tmp_path / "trets.md"
    path.write_text(MARKDOWN, encoding="utf-8")

    (doc,) = read_all(path)

    assert "Le marché provençal de Trets se tient le vendredi matin, voir le site de la ville." in doc.text
    assert "Fruits et légumes\nProduits locaux" in doc.text
    assert "Une citation du maire." in doc.text
    for markup in ("**", "*", "`", "[", "](", "https://www.ville-trets.fr", "img/marche.jpg", "# ", "> ", "- "):
        assert markup not in doc.text, markup


def test_markdown_without_front_matter_takes_its_first_heading_as_title(tmp_path):
    path = tmp_path / "salins.md"
    path.write_text("Intro avant le titre.\n\n# Les Salins du Midi\n\nDu __sel__ de Camargue.\n\n## Visites\nL'été.\n",
                    encoding="utf-8")

    (doc,) = read_all(path)

    assert doc.title == "Les Salins du Midi"
    assert doc.places == ()
    assert "Du sel de Camargue." in doc.text


def test_markdown_without_title_or_heading_is_named_after_the_file(tmp_path):
    path = tmp_path / "horaires-navette.md"
    path.write_text("La navette part toutes les heures.\n", encoding="utf-8")

    (doc,) = read_all(path)

    assert doc.title == "horaires-navette"
    assert doc.text == "La navette part toutes les heures."


def test_markdown_front_matter_with_windows_line_endings_is_parsed(tmp_path):
    path = tmp_path / "crlf.md"
    path.write_bytes(b"---\r\ntitle: Le port de Carry\r\nplaces: 13021\r\n---\r\n# Titre\r\nLe port.\r\n")

    (doc,) = read_all(path)

    assert doc.title == "Le port de Carry"
    assert doc.places == ("13021",)
    assert "title:" not in doc.text


@pytest.mark.parametrize(
    "noise",
    [
        pytest.param("[" * 200_000, id="open-brackets"),
        pytest.param("[a](" * 50_000, id="unclosed-links"),
        pytest.param("![" * 100_000, id="open-images"),
        pytest.param("[a](x(" * 40_000, id="open-parentheses"),
        pytest.param("[a](" + "x" * 200_000, id="endless-url"),
    ],
)
def test_markdown_with_pathological_brackets_is_read_in_linear_time(tmp_path, noise):
    # The former link pattern rescanned the rest of the text from every "[": 60 KB of "[" took 20 s.
    path = tmp_path / "crochets.md"
    path.write_text("# Crochets\n\nUn [lien](https://example.org) puis du bruit :\n" + noise, encoding="utf-8")

    with deadline(10):
        (doc,) = read_all(path)

    assert "Un lien puis du bruit :" in doc.text
    assert doc.text.endswith(noise)


def test_markdown_links_keep_their_text_with_parentheses_or_a_title_in_the_url(tmp_path):
    path = tmp_path / "liens.md"
    path.write_text('Voir [Aix](https://fr.wikipedia.org/wiki/Aix_(Provence)) et [la carte](carte.pdf "Carte").\n',
                    encoding="utf-8")

    (doc,) = read_all(path)

    assert doc.text == "Voir Aix et la carte."


# --- Plain text --------------------------------------------------------------------------------------


def test_plain_text_first_line_is_the_title_and_the_whole_text_is_kept(tmp_path):
    path = tmp_path / "navette.txt"
    path.write_text("\nHoraires de la navette\nLa navette relie Aubagne à La Ciotat.\n\n", encoding="utf-8")

    (doc,) = read_all(path)

    assert doc.title == "Horaires de la navette"
    assert doc.text == "Horaires de la navette\nLa navette relie Aubagne à La Ciotat."


def test_plain_text_with_an_overlong_first_line_is_named_after_the_file(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("mot " * 60 + "\nsuite", encoding="utf-8")

    (doc,) = read_all(path)

    assert doc.title == "long"


@pytest.mark.parametrize("text, encoding", [
    ("Fête de la Saint-Éloi à Gémenos", "cp1252"),
    ("Café, été : « l’œuvre » coûte 5 € — Noël à Aubagne…\n\tDeuxième ligne,\fpage suivante.", "cp1252"),
    ("Fête à Gémenos : café, été, crème brûlée.", "latin-1"),  # read as Windows-1252, its superset
])
def test_windows_1252_and_latin_1_text_is_decoded(tmp_path, text, encoding):
    path = tmp_path / "ancien.txt"
    path.write_bytes(text.encode(encoding))

    (doc,) = read_all(path)

    assert doc.text == text


def test_text_with_a_few_stray_control_characters_is_still_read(tmp_path):
    path = tmp_path / "copie.txt"
    text = "Le marché de Trets se tient le vendredi. " * 30 + "\x1b[0m Fin."  # pasted from a terminal
    path.write_text(text, encoding="utf-8")

    (doc,) = read_all(path)

    assert doc.text == text


@pytest.mark.parametrize(("bom", "encoding"), [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")])
def test_utf16_text_with_a_byte_order_mark_is_decoded(tmp_path, bom, encoding):
    path = tmp_path / "unicode.txt"  # what Windows tools save as "Unicode"
    path.write_bytes(bom + "Fête à Gémenos\r\nLe marché.".encode(encoding))

    (doc,) = read_all(path)

    assert doc.text == "Fête à Gémenos\nLe marché."


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_text_without_a_byte_order_mark_is_reported_as_such(tmp_path, encoding):
    path = tmp_path / "unicode.txt"
    path.write_bytes("Fête à Gémenos, le marché du vendredi.".encode(encoding))

    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert exc.value.reason == "UTF-16 text without a byte-order mark; save it as UTF-8"


def test_empty_text_file_is_reported(tmp_path):
    path = tmp_path / "vide.txt"
    path.write_text("  \n\n", encoding="utf-8")

    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert exc.value.path == str(path)
    assert "text" in exc.value.reason


# --- HTML --------------------------------------------------------------------------------------------

ARTICLE = [
    "Les calanques de Port-Miou, Port-Pin et En-Vau se découvrent à pied depuis le port de Cassis. "
    "Le sentier balisé longe la côte et offre des vues sur les falaises calcaires.",
    "En été, l'accès aux massifs forestiers peut être réglementé en raison du risque d'incendie. "
    "Renseignez-vous la veille de votre randonnée auprès de la préfecture des Bouches-du-Rhône.",
    "Des bateaux partent aussi du port toute l'année pour une visite des calanques depuis la mer, "
    "une promenade d'environ une heure.",
]

PAGE = f"""<!DOCTYPE html>
<html lang="fr">
<head>
  <meta charset="utf-8">
  <title>Les calanques de Cassis | Office de tourisme</title>
  <meta property="og:site_name" content="Office de tourisme de Cassis">
  <script>window.dataLayer = [{{"tracker": "TRACKER-IN-HEAD"}}];</script>
  <style>body {{ font-family: sans-serif; }} .STYLE-RULE {{ color: red; }}</style>
</head>
<body>
  <header>
    <nav><ul>
      <li><a href="/">Accueil</a></li>
      <li><a href="/agenda">Agenda NAVLINK</a></li>
      <li><a href="/contact">Contact</a></li>
    </ul></nav>
  </header>
  <main>
    <article>
      <h1>Les calanques de Cassis</h1>
      <p>{ARTICLE[0]}</p>
      <p>{ARTICLE[1]}</p>
      <p>{ARTICLE[2]}</p>
    </article>
  </main>
  <footer><p>Office de tourisme FOOTERTEXT — Mentions légales — Plan du site</p></footer>
  <script src="/app.js"></script>
  <script>console.log("INLINE-SCRIPT-IN-BODY");</script>
</body>
</html>
"""


def test_html_main_content_is_extracted_without_navigation_footer_or_scripts(tmp_path):
    path = tmp_path / "calanques.html"
    path.write_text(PAGE, encoding="utf-8")

    (doc,) = read_all(path)

    assert doc.title == "Les calanques de Cassis"
    for paragraph in ARTICLE:
        assert paragraph in doc.text
    for boilerplate in ("NAVLINK", "Accueil", "FOOTERTEXT", "Mentions légales", "TRACKER-IN-HEAD",
                        "INLINE-SCRIPT-IN-BODY", "console.log", "STYLE-RULE"):
        assert boilerplate not in doc.text, boilerplate
    assert doc.source == "Office de tourisme de Cassis"


def test_htm_extension_is_read_as_html(tmp_path):
    path = tmp_path / "calanques.htm"
    path.write_text(PAGE, encoding="utf-8")
    (doc,) = read_all(path)
    assert ARTICLE[2] in doc.text


def test_html_page_with_only_scripts_has_no_main_content(tmp_path):
    path = tmp_path / "app.html"
    path.write_text(
        "<html><head><script>var config = {api: '/v1'};</script></head>"
        "<body><div id='root'></div><script>document.write('Bienvenue sur notre application');</script>"
        "<script src='bundle.js'></script></body></html>",
        encoding="utf-8",
    )

    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert exc.value.path == str(path)
    assert "no main content" in exc.value.reason


def test_html_reader_does_not_rely_on_deprecated_trafilatura_api(tmp_path):
    path = tmp_path / "calanques.html"
    path.write_text(PAGE, encoding="utf-8")

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        (doc,) = read_all(path)

    assert ARTICLE[0] in doc.text


def test_html_nested_deeper_than_the_parser_builds_is_reported_as_such(tmp_path):
    # lxml keeps 256 levels and silently drops what lies deeper: here, the whole article.
    path = tmp_path / "poupees.html"
    path.write_text("<html><body>" + "<div>" * 100_000 + f"<p>{ARTICLE[0]}</p></body></html>", encoding="utf-8")

    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert exc.value.reason == f"HTML nested too deeply (more than {readers.MAX_HTML_DEPTH} levels)"


def test_html_nested_two_hundred_levels_deep_is_read(tmp_path):
    path = tmp_path / "profond.html"
    path.write_text(PAGE.replace("<article>", "<div>" * 200 + "<article>"), encoding="utf-8")

    (doc,) = read_all(path)

    assert ARTICLE[0] in doc.text


def test_html_with_a_huge_attribute_is_read(tmp_path):
    path = tmp_path / "attribut.html"
    path.write_text(PAGE.replace("<article>", f'<article data-x="{"x" * 500_000}">'), encoding="utf-8")

    (doc,) = read_all(path)

    assert ARTICLE[0] in doc.text
    assert "xxxx" not in doc.text


def test_text_saved_as_html_is_not_an_html_page(tmp_path):
    path = tmp_path / "texte.html"
    path.write_text("Juste du texte, sans aucune balise.", encoding="utf-8")

    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert exc.value.reason.startswith("not an HTML page")


# --- PDF ---------------------------------------------------------------------------------------------


def test_handwritten_pdf_is_well_formed():
    """The xref offsets really point at the objects (the fixture of the PDF tests must be sound)."""
    data = minimal_pdf(["x"], title="T")
    xref_at = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    assert data[xref_at:].startswith(b"xref\n0 7\n")
    entries = data[xref_at:].split(b"\n")[3:9]
    for number, entry in enumerate(entries, 1):
        assert data[int(entry[:10]):].startswith(b"%d 0 obj\n" % number)


def test_pdf_text_and_title_are_extracted(tmp_path):
    path = tmp_path / "horaires.pdf"
    path.write_bytes(minimal_pdf(["La gare de Miramas est desservie par le TER.",
                                  "Ligne de Marseille à Avignon (été 2026)."], title="Horaires d'été"))

    (doc,) = read_all(path, "pdf/horaires.pdf")

    assert doc.id == "pdf/horaires.pdf"
    assert doc.title == "Horaires d'été"
    assert doc.text == "La gare de Miramas est desservie par le TER.\nLigne de Marseille à Avignon (été 2026)."
    assert doc.origin == str(path)


def test_pdf_without_title_metadata_is_named_after_the_file(tmp_path):
    path = tmp_path / "fiche-gare.pdf"
    path.write_bytes(minimal_pdf(["Accueil ouvert de 6 h à 21 h."]))

    (doc,) = read_all(path)

    assert doc.title == "fiche-gare"
    assert doc.text == "Accueil ouvert de 6 h à 21 h."


def test_pdf_without_any_text_is_reported_as_such(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(minimal_pdf([]))

    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert "no extractable text" in exc.value.reason


GOOD_PDF = minimal_pdf(["La gare de Miramas est desservie par le TER."], title="Gare")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(GOOD_PDF[: len(GOOD_PDF) // 2], id="truncated-half"),
        pytest.param(GOOD_PDF[:-30], id="truncated-before-trailer"),
        pytest.param(GOOD_PDF[:9], id="header-only"),
        pytest.param(b"<html><body>Not a PDF, a web page saved as .pdf</body></html>\n" * 20, id="not-a-pdf"),
        pytest.param(bytes(range(256)) * 8, id="random-bytes"),
    ],
)
def test_unreadable_pdf_is_a_source_error(tmp_path, data):
    path = tmp_path / "broken.pdf"
    path.write_bytes(data)

    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert exc.value.path == str(path)
    assert "PDF" in exc.value.reason


def test_file_without_a_pdf_header_is_reported_as_not_a_pdf(tmp_path):
    path = tmp_path / "page.pdf"
    path.write_bytes(b"<html><body>A web page saved as .pdf</body></html>\n")

    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert exc.value.reason == "not a PDF file (no %PDF- header)"


def test_damaged_pdf_with_self_referencing_objects_is_a_source_error(tmp_path):
    # Same length as the good file, so the xref offsets still point at the (damaged) objects.
    damaged = GOOD_PDF.replace(b"/Catalog", b"/CatXlog").replace(b"5 0 obj\n", b"5 0 objX")
    path = tmp_path / "damaged.pdf"
    path.write_bytes(damaged)

    with pytest.raises(SourceError):
        read_all(path)


# --- CSV ---------------------------------------------------------------------------------------------


def test_csv_columns_named_like_document_fields_are_mapped_by_default(tmp_path):
    path = tmp_path / "musees.csv"
    path.write_text(
        "id,title,text,places,theme,lang,url\n"
        'granet,Musée Granet,"Beaux-arts, à Aix-en-Provence.",13001,culture/musée,fr,https://example.org/g\n'
        'cantini,Musée Cantini,Art moderne à Marseille.,"13055; 13206",culture/musée,fr,\n',
        encoding="utf-8",
    )

    items = read_all(path)

    granet, cantini = documents(items)
    assert not errors(items)
    assert (granet.id, granet.title, granet.text) == ("granet", "Musée Granet", "Beaux-arts, à Aix-en-Provence.")
    assert granet.places == ("13001",) and granet.theme == "culture/musée" and granet.lang == "fr"
    assert granet.url == "https://example.org/g"
    assert cantini.places == ("13055", "13206")
    assert cantini.url is None
    assert granet.origin == str(path)


def test_csv_map_option_maps_fields_to_other_column_names(tmp_path):
    path = tmp_path / "bibliotheques.csv"
    path.write_text(
        "nom;commune;description;horaires\n"
        "Bibliothèque Méjanes;13001;Grande bibliothèque, cité du livre;mardi au samedi\n",
        encoding="utf-8",
    )

    (doc,) = read_all(path, "biblio.csv",
                      {"csv_map": {"title": "nom", "places": "commune", "text": "description"}})

    assert doc.title == "Bibliothèque Méjanes"
    assert doc.places == ("13001",)
    assert doc.text == "Grande bibliothèque, cité du livre"
    assert doc.id == "biblio.csv#1"


def test_csv_rows_without_a_text_column_become_column_value_lines(tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_text(
        "nom;adresse;horaires;accès\n"
        "Bibliothèque Méjanes;8-10 rue des Allumettes, Aix;mardi au samedi;\n"
        "Médiathèque de Pertuis;;lundi;bus 12\n",
        encoding="utf-8",
    )

    first, second = read_all(path, "lieux.csv", {"csv_map": {"title": "nom"}})

    assert first.title == "Bibliothèque Méjanes"
    assert first.text == "adresse : 8-10 rue des Allumettes, Aix\nhoraires : mardi au samedi"
    assert second.text == "horaires : lundi\naccès : bus 12"
    assert (first.id, second.id) == ("lieux.csv#1", "lieux.csv#2")


def test_csv_without_title_takes_the_first_line_of_the_rendered_text(tmp_path):
    path = tmp_path / "arrets.csv"
    path.write_text("arret,ligne\nGare Saint-Charles,82\n", encoding="utf-8")

    (doc,) = read_all(path)

    assert doc.text == "arret : Gare Saint-Charles\nligne : 82"
    assert doc.title == "arret : Gare Saint-Charles"


def test_csv_row_that_yields_no_text_is_reported_with_its_line_and_the_others_load(tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_text("title,text\nPlage de l'Arène,Baignade surveillée.\nVide,\nCalanque,Accès à pied.\n",
                    encoding="utf-8")

    items = read_all(path)

    assert [d.title for d in documents(items)] == ["Plage de l'Arène", "Calanque"]
    (error,) = errors(items)
    assert error.path == f"{path}:3"
    assert "text" in error.reason


def test_csv_map_to_an_unknown_column_is_a_source_error_naming_it(tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_text("nom,commune\nMéjanes,13001\n", encoding="utf-8")

    with pytest.raises(SourceError) as exc:
        read_all(path, options={"csv_map": {"title": "name"}})

    assert exc.value.path == str(path)
    assert "name" in exc.value.reason
    assert "nom, commune" in exc.value.reason


def test_csv_field_longer_than_the_csv_module_default_is_read(tmp_path):
    path = tmp_path / "sentiers.csv"
    long = "Le sentier longe la côte. " * 8_000  # 208 KB: the csv module refuses fields over 128 KB by default
    path.write_text(f'title,text\nSentier,"{long}"\nPort,Un texte court.\n', encoding="utf-8")

    items = read_all(path)

    assert [d.title for d in documents(items)] == ["Sentier", "Port"]
    assert documents(items)[0].text == long.strip()


def test_csv_field_over_the_limit_is_a_source_error_naming_its_line(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "CSV_FIELD_LIMIT", 1000)
    path = tmp_path / "long.csv"
    path.write_text('title,text\nCourt,Un texte.\nLong,"' + "x" * 2000 + '"\n', encoding="utf-8")

    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert exc.value.path == f"{path}:3"
    assert exc.value.reason == "CSV field longer than 1,000 characters"


def test_csv_row_with_more_fields_than_the_header_is_reported_and_the_others_load(tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_text("title,text,theme\nPlage,Baignade.,loisirs\nPort,Bateaux,mer,en trop\nCalanque,Accès à pied.\n",
                    encoding="utf-8")

    items = read_all(path)

    assert [d.title for d in documents(items)] == ["Plage", "Calanque"]
    assert documents(items)[1].theme is None  # a short row just leaves its last fields empty
    (error,) = errors(items)
    assert error.path == f"{path}:3"
    assert error.reason == "row has 4 fields, the header has 3"


# --- Any format --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rapport.docx", "carte.png", "LISEZMOI"])
def test_unsupported_file_type_is_a_source_error_listing_the_supported_ones(tmp_path, name):
    path = tmp_path / name
    path.write_text("contenu", encoding="utf-8")

    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert exc.value.path == str(path)
    assert "unsupported file type" in exc.value.reason
    for ext in (".jsonl", ".md", ".txt", ".html", ".pdf", ".csv"):
        assert ext in exc.value.reason
    assert (path.suffix or "(none)") in exc.value.reason


@pytest.mark.parametrize("ext", [".jsonl", ".md", ".txt", ".html", ".pdf", ".csv"])
def test_empty_file_of_any_type_is_reported_as_empty(tmp_path, ext):
    path = tmp_path / f"vide{ext}"
    path.write_bytes(b"")

    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert exc.value.path == str(path)
    assert exc.value.reason == "empty file"


@pytest.mark.parametrize("name", ["photo.md", "dump.txt", "page.html", "export.jsonl", "table.csv"])
def test_random_bytes_without_nul_are_rejected_as_binary(tmp_path, name):
    # Without NUL and the five bytes Windows-1252 leaves undefined, any bytes decode in that code page.
    data = bytes(b for b in random.Random(name).randbytes(4096) if b not in b"\x00\x81\x8d\x8f\x90\x9d")
    path = tmp_path / name
    path.write_bytes(data)

    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert exc.value.reason == "binary content, not text (control characters)"


@pytest.mark.parametrize("name", ["image.txt", "dump.jsonl", "notes.md", "table.csv"])
def test_binary_file_with_nul_bytes_is_rejected_as_not_text(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(64))

    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert exc.value.path == str(path)
    assert "binary" in exc.value.reason


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 100)
    small, big = tmp_path / "small.txt", tmp_path / "big.txt"
    small.write_text("x" * 100, encoding="utf-8")
    big.write_text("x" * 101, encoding="utf-8")

    assert [d.text for d in read_all(small)] == ["x" * 100]
    with pytest.raises(SourceError) as exc:
        read_all(big)
    assert exc.value.path == str(big)
    assert "too large" in exc.value.reason


def test_size_message_shows_a_size_larger_than_the_limit(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(readers.MAX_FILE_BYTES + 1)  # sparse: nothing is written or read

    with pytest.raises(SourceError) as exc:
        read_all(path)

    size, limit = (int(n.replace(",", "")) for n in re.findall(r"([\d,]+) bytes", exc.value.reason))
    assert size == readers.MAX_FILE_BYTES + 1 and limit == readers.MAX_FILE_BYTES


def test_missing_file_is_a_source_error(tmp_path):
    with pytest.raises(SourceError) as exc:
        read_all(tmp_path / "absent.md")
    assert exc.value.path == str(tmp_path / "absent.md")
    assert exc.value.reason == "no such file or directory"


def test_file_the_system_refuses_to_open_is_a_source_error(tmp_path, monkeypatch):
    path = tmp_path / "prive.txt"
    path.write_text("Un texte.", encoding="utf-8")

    def refused(self):  # what a chmod 000 file does to anyone but root
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(type(path), "read_bytes", refused)
    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert (exc.value.path, exc.value.reason) == (str(path), "permission denied")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path):
    path = tmp_path / "tube.txt"
    os.mkfifo(path)

    with deadline(10), pytest.raises(SourceError) as exc:
        read_all(path)

    assert exc.value.reason == "not a regular file"


@pytest.mark.parametrize(
    ("raised", "reason"),
    [
        (RecursionError("maximum recursion depth exceeded"), "content nested too deeply to be read"),
        (MemoryError(), "not enough memory to read this file"),
        (KeyError("xref"), "could not be read (KeyError: 'xref')"),
    ],
)
def test_a_reader_breaking_on_hostile_input_gives_a_source_error(tmp_path, monkeypatch, raised, reason):
    def breaking(path, doc_id, options):
        raise raised
        yield

    monkeypatch.setitem(readers.READERS, ".txt", breaking)
    path = tmp_path / "piege.txt"
    path.write_text("Un texte.", encoding="utf-8")

    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert (exc.value.path, exc.value.reason) == (str(path), reason)


# --- Line-oriented exports: streamed ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["export.jsonl", "export.ndjson", "export.csv"])
def test_line_oriented_exports_have_no_file_size_cap(tmp_path, monkeypatch, name):
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 100)
    path = tmp_path / name
    if name.endswith(".csv"):
        path.write_text("id,title,text\n" + "".join(f"f{i},Fiche {i},Le texte de la fiche {i}.\n" for i in range(20)),
                        encoding="utf-8")
    else:
        jsonl(path, *({"id": f"f{i}", "title": f"Fiche {i}", "text": f"Le texte de la fiche {i}."} for i in range(20)))

    items = read_all(path)

    assert path.stat().st_size > readers.MAX_FILE_BYTES
    assert [d.id for d in items] == [f"f{i}" for i in range(20)]


def test_jsonl_record_over_the_record_limit_is_refused_by_its_line_and_the_others_load(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_RECORD_BYTES", 200)
    prefix = '{"id": "juste", "title": "T", "text": "'
    at_limit = prefix + "x" * (200 - len(prefix) - 2) + '"}'  # 200 bytes and its newline: read
    huge = json.dumps({"id": "trop", "title": "Trop long", "text": "y" * 5_000_000})
    path = jsonl(tmp_path / "export.jsonl", {"id": "a", "title": "A", "text": "Premier."}, huge, at_limit,
                 {"id": "b", "title": "B", "text": "Dernier."})

    items = read_all(path)

    assert [d.id for d in documents(items)] == ["a", "juste", "b"]
    (error,) = errors(items)
    assert error.path == f"{path}:2"
    assert error.reason == f"record too large ({len(huge):,} bytes; the limit for one record is 200 bytes)"


def test_jsonl_last_line_over_the_record_limit_without_a_newline_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_RECORD_BYTES", 100)
    path = tmp_path / "coupe.jsonl"
    path.write_text(json.dumps({"id": "a", "title": "A", "text": "Un."}) + "\n" + "z" * 101, encoding="utf-8")

    items = read_all(path)

    assert [d.id for d in documents(items)] == ["a"]
    assert [(e.path, e.reason) for e in errors(items)] == [
        (f"{path}:2", "record too large (101 bytes; the limit for one record is 100 bytes)")]


def test_csv_line_over_the_record_limit_refuses_the_file_naming_its_line(tmp_path, monkeypatch):
    # A row may span lines: the csv module cannot resynchronise after a line it never saw.
    monkeypatch.setattr(readers, "MAX_RECORD_BYTES", 100)
    path = tmp_path / "lieux.csv"
    path.write_text("title,text\nPlage,Baignade.\nLong," + "x" * 200 + "\nPort,Bateaux.\n", encoding="utf-8")

    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert exc.value.path == f"{path}:3"
    assert exc.value.reason.startswith("record too large (205 bytes;")


def test_jsonl_lines_are_decoded_each_in_its_own_encoding(tmp_path):
    # Read whole, one Windows-1252 line turned every UTF-8 line of the file into mojibake.
    path = tmp_path / "melange.jsonl"
    lines = [json.dumps({"id": i, "title": "Fête", "text": t}, ensure_ascii=False) for i, t in
             (("u", "Crème brûlée à Gémenos."), ("w", "Café, été : 5 €."), ("v", "Noël à Aubagne."))]
    path.write_bytes(lines[0].encode() + b"\n" + lines[1].encode("cp1252") + b"\r\n" + lines[2].encode() + b"\n")

    items = read_all(path)

    assert [d.text for d in items] == ["Crème brûlée à Gémenos.", "Café, été : 5 €.", "Noël à Aubagne."]


def test_jsonl_line_in_no_known_encoding_is_reported_and_the_others_load(tmp_path):
    path = tmp_path / "abime.jsonl"
    good = json.dumps({"id": "a", "title": "A", "text": "Un."}).encode()
    # 0x81 is undefined in Windows-1252, and a lone continuation byte in UTF-8.
    path.write_bytes(good + b'\n{"id": "b", "title": "B", "text": "\x81"}\n' + good.replace(b'"a"', b'"c"') + b"\n")

    items = read_all(path)

    assert [d.id for d in documents(items)] == ["a", "c"]
    assert [(e.path, e.reason) for e in errors(items)] == [(f"{path}:2", "not valid UTF-8 or Windows-1252 text")]


@pytest.mark.parametrize("bom", [codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
def test_jsonl_with_a_byte_order_mark_is_read_line_by_line(tmp_path, bom):
    encoding = {codecs.BOM_UTF8: "utf-8", codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}[bom]
    records = [{"id": f"r{i}", "title": "Fête", "text": f"Fête numéro {i} à Gémenos\u2028suite."} for i in range(3)]
    path = tmp_path / "unicode.jsonl"
    path.write_bytes(bom + "\r\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode(encoding))

    items = read_all(path)

    assert [d.text for d in items] == [r["text"] for r in records]


def test_jsonl_with_a_nul_byte_far_into_the_file_is_refused_whole_naming_its_line(tmp_path):
    # A zero-filled tail (a copy cut short) or a binary part: refused whole, as when files were read
    # whole, so that --prune keeps the documents stored from it.
    line = json.dumps({"id": "x", "title": "T", "text": "Un texte."}) + "\n"
    count = readers.SNIFF_BYTES // len(line) + 10  # past what is sniffed at first
    path = tmp_path / "coupe.jsonl"
    path.write_bytes(line.encode() * count + b"\x00" * 4096)

    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert (exc.value.path, exc.value.reason) == (f"{path}:{count + 1}", "binary content, not text (NUL bytes)")


def test_control_characters_are_counted_over_the_whole_streamed_file(tmp_path):
    line = json.dumps({"id": "x", "title": "T", "text": "Un texte."}) + "\n"
    count = readers.SNIFF_BYTES // len(line) + 10
    path = tmp_path / "bruit.jsonl"
    path.write_bytes(line.encode() * count + bytes(range(1, 9)) * 1000 + b"\n")  # binary past the sniffed part

    with pytest.raises(SourceError) as exc:
        read_all(path)

    assert (exc.value.path, exc.value.reason) == (str(path), "binary content, not text (control characters)")


def test_csv_quoted_field_spanning_lines_is_one_row_when_streamed(tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_bytes("title;text\r\nPlage;\"Baignade\r\nsurveillée.\"\r\nPort;Bateaux.\r\n".encode("cp1252"))

    items = read_all(path)

    assert [(d.title, d.text) for d in items] == [("Plage", "Baignade\nsurveillée."), ("Port", "Bateaux.")]
    assert [d.id for d in items] == ["lieux.csv#1", "lieux.csv#2"]


@pytest.mark.slow
def test_reading_a_big_jsonl_takes_a_small_fraction_of_its_size_in_memory(tmp_path):
    text = "Le marché provençal de Trets se tient le vendredi matin sur le boulevard. " * 25  # ~1.9 KB, a notice
    path = tmp_path / "export.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        n = 0
        while f.tell() < 60 * 1024 * 1024:
            f.write(json.dumps({"id": f"fiche-{n}", "title": f"Fiche {n}", "text": text}) + "\n")
            n += 1

    tracemalloc.start()
    try:
        count = sum(1 for _ in readers.read(path, path.name))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert count == n
    assert peak < path.stat().st_size / 100  # measured: ~0.1 MB for 60 MB
