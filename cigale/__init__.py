"""Cigale: an answer engine for a territory, grounded in its partners' sources."""

from cigale.answers import Answer, Citation, PlaceRef
from cigale.documents import Document
from cigale.engine import Engine
from cigale.errors import CigaleError
from cigale.search import Filters, Hit
from cigale.settings import Settings

__all__ = ["Answer", "Citation", "CigaleError", "Document", "Engine", "Filters", "Hit", "PlaceRef", "Settings"]
__version__ = "0.1.0"
