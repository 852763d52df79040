"""Against a real model, when one is configured: CIGALE_TEST_LLM_URL (an OpenAI-compatible base
URL such as http://localhost:11434/v1) and CIGALE_TEST_LLM_MODEL (e.g. mistral)."""

import os

import pytest

from cigale import Engine, Settings

URL, MODEL = os.environ.get("CIGALE_TEST_LLM_URL"), os.environ.get("CIGALE_TEST_LLM_MODEL", "")

pytestmark = pytest.mark.skipif(
    not URL, reason="no real model here: set CIGALE_TEST_LLM_URL (and CIGALE_TEST_LLM_MODEL) to run this test")


def test_a_real_model_answers_with_verified_citations_or_falls_back(tmp_path, copy_of_built):
    copy_of_built(tmp_path / "data")
    settings = Settings.load(environ={}, data_dir=tmp_path / "data", llm_base_url=URL, llm_model=MODEL,
                             llm_api_key=os.environ.get("CIGALE_TEST_LLM_KEY", ""), llm_timeout=60.0)
    answer = Engine.open(settings=settings).ask("Quelles lignes passent à la gare de Miramas ?")
    assert not answer.abstained and answer.citations[0].doc_id == "gare-miramas"
    if answer.kind == "generative":
        assert answer.grounding["supported"] >= 1 and "[1]" in answer.answer
    else:
        assert "fallback" in answer.evidence
