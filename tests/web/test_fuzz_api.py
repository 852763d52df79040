"""The API against its own OpenAPI document, by schemathesis over real HTTP: for any input the
schema allows, and for inputs it forbids, no 5xx, responses as documented, errors in the one
error shape. A bounded number of examples here; bench/reliability.py runs more."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from server import start

EXAMPLES = int(os.environ.get("CIGALE_FUZZ_EXAMPLES", "20"))


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory, copy_of_built):
    # Its own copy: feedback is written. No rate limit: every example must reach the engine.
    data = copy_of_built(tmp_path_factory.mktemp("fuzz") / "data")
    with start(data, rate_limit=0, ask_timeout=60) as server:
        yield server


def test_the_api_holds_for_any_input(fuzzed):
    # Each operation's cases drawn from its strategy (schemathesis's pytest loader does not run
    # under pytest 9); a failure names the operation and the case.
    schema = schemathesis.openapi.from_url(fuzzed.url + "/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} >= {"GET /api/ask", "GET /api/search", "POST /api/feedback",
                                                "POST /v1/chat/completions"}
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def holds(case):
            # All checks but "every schema-valid request succeeds": a question of spaces only, or a
            # conversation with no user message, is valid JSON for the schema and still a 400.
            case.call_and_validate(excluded_checks=[positive_data_acceptance])

        holds()
