"""The interface's words in French and English; the answers follow the question's language."""

LANGUAGES = ("fr", "en")
DEFAULT = "fr"

TEXTS = {
    "fr": {
        "site_title": "Cigale — la métropole vous répond",
        "tagline": "Posez une question sur Aix-Marseille-Provence : culture, économie, études, nature, mobilité…",
        "skip": "Aller au contenu",
        "search_label": "Votre question",
        "search_placeholder": "Où se baigner ? Quels festivals en juillet ?",
        "search_button": "Demander",
        "answer": "Réponse",
        "sources": "Sources",
        "places": "Lieux de cette réponse",
        "map_caption": "Les {n} communes de la métropole ; en couleur, celles citées. "
                       "Choisissez-en une pour l'explorer.",
        "related": "Questions liées",
        "suggestions": "Quelques idées, dans tout le territoire",
        "feedback": "Cette réponse vous a-t-elle été utile ?",
        "useful": "Utile",
        "not_useful": "Pas utile",
        "comment": "Commentaire (facultatif)",
        "send": "Envoyer",
        "thanks": "Merci, votre avis est enregistré.",
        "abstained_note": "Voici les sources les plus proches de votre question :",
        "fallback_note": "Réponse extraite directement des sources (le modèle de langue n'a pas pu répondre).",
        "visit": "Voir la source",
        "published_by": "Publié par",
        "event_dates": "Dates",
        "confidence": "Confiance",
        "switch": "English",
        "language_name": "Français",
        "error": "Une erreur est survenue",
        "back": "Retour à l'accueil",
        "loading": "Recherche en cours…",
        "ask_about": "Que faire à {place} ?",
        "suggest": ["Festivals à {place}", "Musées à {place}", "Gares à {place}", "Lycées à {place}",
                    "Recherche scientifique à {place}", "Que voir à {place} ?"],
        "footer": "Les réponses citent les contenus des partenaires ; suivez les liens pour l'information officielle.",
        "expert_title": "L'expert à consulter",
        "expert_note": "Pour aller plus loin ou pour l'information officielle :",
        "more": "et {n} autres dans les résultats de recherche",
        "search_title": "Résultats de recherche",
        "search_intro": "Les documents les plus proches de « {q} » :",
        "search_none": "Aucun document ne correspond.",
        "back_to_answer": "Retour à la réponse",
    },
    "en": {
        "site_title": "Cigale — the metropolis answers",
        "tagline": "Ask anything about Aix-Marseille-Provence: culture, business, study, nature, getting around…",
        "skip": "Skip to content",
        "search_label": "Your question",
        "search_placeholder": "Where to swim? Which festivals in July?",
        "search_button": "Ask",
        "answer": "Answer",
        "sources": "Sources",
        "places": "Places in this answer",
        "map_caption": "The metropolis's {n} communes; those cited are coloured. Pick one to explore it.",
        "related": "Related questions",
        "suggestions": "Some ideas, across the whole territory",
        "feedback": "Was this answer useful?",
        "useful": "Useful",
        "not_useful": "Not useful",
        "comment": "Comment (optional)",
        "send": "Send",
        "thanks": "Thank you, your feedback is saved.",
        "abstained_note": "Here are the sources closest to your question:",
        "fallback_note": "Answer quoted directly from the sources (the language model could not answer).",
        "visit": "Open the source",
        "published_by": "Published by",
        "event_dates": "Dates",
        "confidence": "Confidence",
        "switch": "Français",
        "language_name": "English",
        "error": "Something went wrong",
        "back": "Back to the home page",
        "loading": "Searching…",
        "ask_about": "What to do in {place}?",
        "suggest": ["Festivals in {place}", "Museums in {place}", "Train stations in {place}",
                    "High schools in {place}", "Research labs in {place}", "What to see in {place}?"],
        "footer": "Answers cite our partners' content; follow the links for official information.",
        "expert_title": "The expert to ask",
        "expert_note": "To go further, or for official information:",
        "more": "and {n} more in the search results",
        "search_title": "Search results",
        "search_intro": "The documents closest to “{q}”:",
        "search_none": "No document matches.",
        "back_to_answer": "Back to the answer",
    },
}


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The interface language: the remembered choice, else the browser's preference, else French."""
    if cookie in LANGUAGES:
        return cookie
    for part in (accept_language or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT
