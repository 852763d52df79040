"""The website and the HTTP API (FastAPI, server-rendered Jinja2, one small script)."""
