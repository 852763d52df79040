"""Answers: what a question asks (intent), the answer composed from the sources by intent
(extractive, lists, refusals), optionally written by a language model and verified
(generative), and the expert to ask."""

from cigale.answers.types import Answer, Citation, Expert, Item, PlaceRef, Sentence

__all__ = ["Answer", "Citation", "Expert", "Item", "PlaceRef", "Sentence"]
