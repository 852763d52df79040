"""The lexical analyzer of BM25."""

from cigale.analysis import analyze, analyze_query, fold, words


def test_folding_lowercases_and_strips_accents():
    assert fold("Étang de BERRE à Fos-sur-Mer") == "etang de berre a fos-sur-mer"


def test_french_elisions_are_removed():
    assert words("l'eau d'Aix qu'il jusqu'à l’été") == ["eau", "aix", "il", "a", "ete"]


def test_french_stop_words_go_and_words_are_stemmed():
    assert analyze("Les festivals de musique classique", "fr") == analyze("festival musique classiques", "fr")
    assert "les" not in analyze("les festivals", "fr")


def test_english_is_stemmed_as_english():
    assert analyze("museums and gardens", "en") == analyze("museum garden", "en")


def test_a_language_without_a_stemmer_still_tokenizes():
    assert analyze("東京 tower", "ja") == ["東京", "tower"]


def test_a_question_is_analyzed_in_every_language_of_the_index():
    terms = analyze_query("festivals", ["en", "fr"])
    assert set(analyze("festivals", "fr")) <= set(terms) and set(analyze("festivals", "en")) <= set(terms)
