"""Chunks are sentence-aware slices whose offsets always point back into the document."""

from hypothesis import given, settings
from hypothesis import strategies as st

from cigale.chunks import chunk_document, chunk_spans, sentences
from cigale.documents import Document


def test_sentences_split_on_line_breaks_and_sentence_ends():
    text = "Nom : Festival\nAnnée de création : 1980\nIl a lieu en été. Le parc est ouvert. 3 scènes."
    assert [text[a:b] for a, b in sentences(text)] == [
        "Nom : Festival", "Année de création : 1980", "Il a lieu en été.", "Le parc est ouvert.", "3 scènes."]


def test_chunks_stay_near_the_target_length_and_never_pass_the_maximum():
    text = " ".join(f"Phrase numéro {i} sur la Provence et ses villages perchés." for i in range(200))
    spans = chunk_spans(text, target=100, maximum=150)
    lengths = [len(text[a:b].split()) for a, b in spans]
    assert max(lengths) <= 150 and min(lengths[:-1]) >= 100 and len(spans) > 5


def test_an_over_long_sentence_is_cut_on_word_boundaries():
    text = " ".join(["mot"] * 1000)
    spans = chunk_spans(text, target=100, maximum=150)
    assert all(len(text[a:b].split()) <= 150 for a, b in spans)
    assert sum(len(text[a:b].split()) for a, b in spans) == 1000


def test_a_short_tail_joins_the_previous_chunk():
    text = " ".join(["Une phrase de dix mots pour remplir le morceau."] * 12) + " Fin."
    spans = chunk_spans(text, target=100, maximum=200)
    assert text[spans[-1][0]:spans[-1][1]].endswith("Fin.") and len(spans) == 1


def test_chunks_keep_the_title_as_context_for_the_retrievers():
    doc = Document("d", "Musée Ziem", "Des collections d'archéologie.")
    (chunk,) = chunk_document(doc)
    assert chunk.indexed_text == "Musée Ziem\nDes collections d'archéologie."


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab é.\n!?«»  X1"), max_size=3000),
       st.integers(5, 60), st.integers(0, 100))
def test_every_chunk_is_exactly_the_document_text_at_its_offsets(text, target, extra):
    doc = Document("d", "t", text)
    chunks = chunk_document(doc, target=target, maximum=target + extra)
    for c in chunks:
        assert doc.text[c.start:c.end] == c.text and c.text.strip() == c.text
    # nothing but white space is left out
    covered = "".join(c.text for c in chunks)
    assert "".join(covered.split()) == "".join(text.split())
