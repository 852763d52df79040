"""The answer and its parts, as every surface (page, API, CLI, /v1) receives them."""

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class PlaceRef:
    insee: str
    name: str
    territory: str


@dataclass(frozen=True)
class Citation:
    n: int
    doc_id: str
    title: str
    url: str | None
    source: str | None  # the provenance string, for the back office
    places: tuple[str, ...]
    spans: tuple[tuple[int, int], ...] = ()  # offsets of the quoted sentences in the document text
    quotes: tuple[str, ...] = ()
    publisher: str | None = None  # who a visitor knows as its author ("Ministère de la Culture")


@dataclass(frozen=True)
class Sentence:
    text: str  # as shown in the answer, citation marker excluded
    citation: int
    doc_id: str
    start: int  # span of the quoted sentence in its document; -1 for a generated sentence
    end: int
    lang: str | None = None  # the source's language: a quoted sentence keeps it


@dataclass(frozen=True)
class Item:
    """One line of a list answer: a thing of the kind asked for, where it is, and the detail of
    its source that matters to the question (a quoted span: `start`/`end`, -1 when none); for an
    event, its dates, venue and price instead of a quoted detail."""

    doc_id: str
    title: str
    place: str | None
    detail: str | None
    citation: int
    start: int = -1
    end: int = -1
    lang: str | None = None  # the detail's language (its source's)
    dates: str | None = None  # an event's: when it takes place, written in the answer's language
    starts: str | None = None  # an event's start as its source gives it (ISO)
    venue: str | None = None  # an event's venue, when its source names one
    price: str | None = None  # an event's price, when its source gives one


@dataclass(frozen=True)
class Expert:
    """The partner to ask: the one whose theme the question is about (the pack's `partners`)."""

    name: str
    url: str | None
    theme: str


@dataclass(frozen=True)
class Answer:
    question: str
    lang: str
    answer: str
    abstained: bool
    confidence: float
    citations: tuple[Citation, ...]
    places: tuple[PlaceRef, ...]
    sentences: tuple[Sentence, ...] = ()
    kind: str = "extractive"  # or "generative"
    evidence: dict = field(default_factory=dict, compare=False)  # for the back office; never shown to visitors
    grounding: dict | None = None  # generated answers: {"checked": n, "supported": m}
    intent: str = "factual"  # answers.intent.Intent values
    items: tuple[Item, ...] = ()  # list answers
    expert: Expert | None = None
    more: int = 0  # list answers: items found beyond those shown
    frame: str | None = None  # list answers: the line that introduces the items

    def to_dict(self) -> dict:
        out = asdict(self)
        out["citations"] = [
            {**asdict(c), "places": list(c.places), "spans": [list(s) for s in c.spans], "quotes": list(c.quotes)}
            for c in self.citations
        ]
        out["places"] = [asdict(p) for p in self.places]
        out["sentences"] = [asdict(s) for s in self.sentences]
        out["items"] = [asdict(i) for i in self.items]
        if self.grounding is None:
            out.pop("grounding")
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "Answer":
        """The answer `to_dict` gave (read back from JSON: what a cache shared by workers holds)."""
        d = dict(data)
        d["citations"] = tuple(Citation(**{**c, "places": tuple(c["places"]), "quotes": tuple(c["quotes"]),
                                           "spans": tuple(tuple(s) for s in c["spans"])}) for c in d["citations"])
        d["places"] = tuple(PlaceRef(**p) for p in d["places"])
        d["sentences"] = tuple(Sentence(**s) for s in d["sentences"])
        d["items"] = tuple(Item(**i) for i in d["items"])
        d["expert"] = Expert(**d["expert"]) if d.get("expert") else None
        return cls(**d)
