"""Cigale as a model: the official `openai` client talks to /v1, streaming and not."""

import httpx
import openai
import pytest
from server import start


@pytest.fixture
def client(server):
    return openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0)


def test_cigale_is_listed_as_a_model(client):
    assert [m.id for m in client.models.list()] == ["cigale"]


def test_a_chat_completion_answers_the_last_user_message_with_its_sources(client):
    completion = client.chat.completions.create(model="cigale", messages=[
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "Bonjour"},
        {"role": "assistant", "content": "Bonjour !"},
        {"role": "user", "content": "Quelles lignes passent à la gare de Miramas ?"},
    ])
    message = completion.choices[0].message
    assert message.role == "assistant" and "[1]" in message.content and "Miramas" in message.content
    sources = completion.model_extra["sources"]
    assert sources[0]["doc_id"] == "gare-miramas" and sources[0]["n"] == 1


def test_a_streamed_completion_gives_the_same_answer(client):
    messages = [{"role": "user", "content": "musée Ziem à Martigues"}]
    whole = client.chat.completions.create(model="cigale", messages=messages).choices[0].message.content
    stream = client.chat.completions.create(model="cigale", messages=messages, stream=True)
    chunks = list(stream)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == whole
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["sources"][0]["doc_id"] == "musee-ziem"


def test_a_conversation_without_a_question_is_a_clear_400(client):
    with pytest.raises(openai.BadRequestError) as error:
        client.chat.completions.create(model="cigale", messages=[{"role": "system", "content": "hi"}])
    assert "no user message" in str(error.value)


def test_keys_protect_the_endpoint_when_configured(web_data):
    with start(web_data, v1_keys="k1,k2") as server:
        denied = openai.OpenAI(base_url=server.url + "/v1", api_key="wrong", max_retries=0)
        with pytest.raises(openai.AuthenticationError):
            denied.models.list()
        allowed = openai.OpenAI(base_url=server.url + "/v1", api_key="k2", max_retries=0)
        assert allowed.chat.completions.create(model="cigale", messages=[
            {"role": "user", "content": "gare de Miramas"}]).choices[0].message.content
        assert httpx.get(server.url + "/v1/models").status_code == 401
