"""Crashes and full disks: an ingest is atomic, and what it leaves behind always answers.

The kill test runs real ingests in subprocesses and kills them with SIGKILL at random moments
(see crash_worker.py for the corpus and the checks); the full-disk tests cap the size of the
files a subprocess may write (RLIMIT_FSIZE), which fails its writes as a full disk does.
"""

import os
import subprocess
import sys

import pytest
from crash_worker import kill_loop
from test_cli import cigale, environment

from cigale import Engine, Settings
from cigale import index as index_mod
from cigale.store import open_store

KILLS = int(os.environ.get("CIGALE_KILLS", "30"))  # bench/reliability.py asks for more


@pytest.mark.slow
def test_an_ingest_killed_at_any_moment_leaves_the_old_or_the_new_corpus(tmp_path):
    problems, landed = kill_loop(tmp_path, KILLS, seed=0)

    assert problems == []
    assert sum(landed.values()) == KILLS  # every kill hit a running ingest


@pytest.mark.slow
def test_a_sync_killed_at_any_moment_leaves_the_old_or_the_new_site(tmp_path):
    """The same checks, the corpus served as a partner's site on loopback and synced."""
    problems, landed = kill_loop(tmp_path, max(10, KILLS // 3), seed=1, sync=True)

    assert problems == []
    assert sum(landed.values()) == max(10, KILLS // 3)


# --- a full disk -------------------------------------------------------------------------------------

# The CLI, in a process whose files may not grow past a limit. With SIGXFSZ ignored (as Python
# does anyway), a write past it fails with EFBIG, as one on a full disk fails with ENOSPC.
LIMITED = """
import resource, signal, sys
from cigale.cli import main
limit = int(sys.argv[1])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
sys.exit(main(sys.argv[2:]))
"""
LIMIT = 64 * 1024  # SQLite's 32 KiB shared-memory index, a few pages of log: not 100 documents


def limited(*args):
    return subprocess.run([sys.executable, "-c", LIMITED, str(LIMIT), *map(str, args)], capture_output=True,
                          text=True, env=environment(), timeout=180)


def copies(folder, n):
    """`n` copies of one notice: a lot to store, one text to embed."""
    folder.mkdir()
    for i in range(n):
        (folder / f"avis-{i:03d}.md").write_text(
            "# Avis de travaux\n\nLa route de la corniche est fermée du lundi au vendredi pour des travaux "
            "de réfection de la chaussée ; une déviation est mise en place par le centre-ville.\n",
            encoding="utf-8")
    return folder


def test_an_ingest_that_fills_the_disk_stops_cleanly_and_changes_nothing(tmp_path, copy_of_built):
    data = copy_of_built(tmp_path / "data")
    store = open_store(data)
    before = store.document_hashes(), store.version()
    store.close()

    result = limited("ingest", copies(tmp_path / "avis", 100), "--data", data)

    assert result.returncode == 4, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("cigale: The disk is full")  # after the progress bar's blank line
    store = open_store(data)
    assert (store.document_hashes(), store.version()) == before
    for answer in (limited("search", "musée Ziem", "--lang", "fr", "--data", data),  # still on the full disk
                   cigale("search", "musée Ziem", "--lang", "fr", "--data", data)):
        assert answer.returncode == 0, answer.stderr
        assert "musee-ziem" in answer.stdout.splitlines()[0]


def test_an_index_that_fills_the_disk_leaves_the_old_one_and_is_served_from_memory(tmp_path, copy_of_built):
    data = copy_of_built(tmp_path / "data")
    engine = Engine.open(settings=Settings.load(environ={}, data_dir=data))
    engine.ingest([copies(tmp_path / "avis", 100)])  # its vectors alone outgrow the limit
    old = engine.store.version()
    engine.close()
    note = tmp_path / "notes" / "navette.md"
    note.parent.mkdir()
    note.write_text("# Navette des calanques\n\nLa navette relie Cassis et la calanque de Port-Miou.\n",
                    encoding="utf-8")

    ingest = limited("ingest", note, "--data", data)

    assert ingest.returncode == 0, ingest.stderr  # the documents are stored: only the index is not
    assert "Traceback" not in ingest.stderr
    assert "cannot save the index" in ingest.stderr
    assert (data / "index" / "CURRENT").read_text() == f"v{old}"
    assert index_mod.load(data / "index").version == old  # the old index, whole
    assert sorted(p.name for p in (data / "index").iterdir()) == ["CURRENT", f"v{old}"]  # nothing half-written
    for search in (limited, cigale):
        answer = search("search", "navette Port-Miou", "--lang", "fr", "--data", data)
        assert answer.returncode == 0, answer.stderr
        assert "navette.md" in answer.stdout.splitlines()[0]

