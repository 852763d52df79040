"""A bounded soak on loopback: a few hundred mixed requests from many addresses, some hostile.
No 5xx, memory steady, and every table the server keeps per client or per answer bounded."""

import pytest
from server import start
from soak import rss_mib, soak

REQUESTS = 240


@pytest.mark.slow
def test_a_steady_load_leaves_no_errors_and_bounded_memory(web_data_copy):
    with start(web_data_copy, rate_limit=30, rate_limit_clients=50, answer_cache=16,
               trusted_proxies="127.0.0.1", ask_timeout=60) as server:
        places = [c.name for c in server.app.state.engine.territory.communes.values()]
        soak(server.url, places, 40, seed=1)  # warm: model, index, first allocations
        before = rss_mib()
        result = soak(server.url, places, REQUESTS, seed=2)
        after = rss_mib()
        state = server.app.state
        assert result["server_errors"] == 0, result["errors"]
        assert sum(result["statuses"].values()) == REQUESTS and result["statuses"].get("200", 0) > REQUESTS / 2
        assert len(state.answers) <= 16 and len(state.buckets.buckets) <= 50
        assert len(state.counted.seen) <= state.counted.size
        # Steady: what grows with the number of requests would show here (the tables are bounded).
        assert after - before < 40, (before, after)
