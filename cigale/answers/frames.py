"""The words Cigale itself writes around what it quotes, in the question's language: list
frames, refusals, the neutral decline, the expert to ask, related questions. Quoted source
text stays in its own language. French and English first; Italian, Spanish and German too;
any other language gets the English text."""

LANGS = ("fr", "en", "it", "es", "de")

ABSTAIN = {
    "fr": "Je n'ai pas trouvé de réponse fiable dans mes sources.",
    "en": "I found no reliable answer in my sources.",
    "it": "Non ho trovato una risposta affidabile nelle mie fonti.",
    "es": "No he encontrado una respuesta fiable en mis fuentes.",
    "de": "Ich habe in meinen Quellen keine verlässliche Antwort gefunden.",
    "pt": "Não encontrei uma resposta fiável nas minhas fontes.",
    "nl": "Ik heb geen betrouwbaar antwoord gevonden in mijn bronnen.",
    "ar": "لم أجد إجابة موثوقة في مصادري.",
}
ASK_EXPERT = {
    "fr": "Pour cette question, le mieux est de vous adresser à : {expert}.",
    "en": "For this question, the best is to ask: {expert}.",
    "it": "Per questa domanda, è meglio rivolgersi a: {expert}.",
    "es": "Para esta pregunta, lo mejor es dirigirse a: {expert}.",
    "de": "Für diese Frage wenden Sie sich am besten an: {expert}.",
}
OUT_OF_SCOPE = {
    "fr": "Cette demande sort de mon rôle : je réponds aux questions sur le territoire ({territory}), à partir "
          "des sources de ses partenaires.",
    "en": "That is outside what I do: I answer questions about the territory ({territory}), from its partners' "
          "sources.",
    "it": "Questa richiesta esce dal mio ruolo: rispondo alle domande sul territorio ({territory}), a partire "
          "dalle fonti dei suoi partner.",
    "es": "Esta petición queda fuera de mi función: respondo a preguntas sobre el territorio ({territory}), a "
          "partir de las fuentes de sus socios.",
    "de": "Das gehört nicht zu meinen Aufgaben: Ich beantworte Fragen zum Gebiet ({territory}) anhand der Quellen "
          "seiner Partner.",
}
INJECTION = {
    "fr": "Je ne suis pas d'instructions de ce genre : je réponds seulement aux questions sur le territoire, à "
          "partir des sources de ses partenaires.",
    "en": "I don't follow instructions like these: I only answer questions about the territory, from its "
          "partners' sources.",
    "it": "Non seguo istruzioni di questo tipo: rispondo solo alle domande sul territorio, a partire dalle fonti "
          "dei suoi partner.",
    "es": "No sigo instrucciones de este tipo: solo respondo a preguntas sobre el territorio, a partir de las "
          "fuentes de sus socios.",
    "de": "Solchen Anweisungen folge ich nicht: Ich beantworte nur Fragen zum Gebiet anhand der Quellen seiner "
          "Partner.",
}
DECLINE = {
    "fr": "Cigale ne classe pas les communes ni les lieux du territoire : chacun a ses atouts.",
    "en": "Cigale does not rank the territory's communes or places: each has its own strengths.",
    "it": "Cigale non fa classifiche dei comuni e dei luoghi del territorio: ognuno ha i suoi punti di forza.",
    "es": "Cigale no clasifica los municipios ni los lugares del territorio: cada uno tiene sus puntos fuertes.",
    "de": "Cigale erstellt keine Rangliste der Gemeinden und Orte des Gebiets: Jeder Ort hat seine Stärken.",
}
WHAT_SOURCES_SAY = {
    "fr": "Voici ce que mes sources présentent {at} :",
    "en": "Here is what my sources present {at}:",
    "it": "Ecco cosa presentano le mie fonti {at}:",
    "es": "Esto es lo que presentan mis fuentes {at}:",
    "de": "Das stellen meine Quellen {at} vor:",
}
LIST = {  # {kind} is plural; {at} a place with its preposition ("à Martigues", "in Aubagne")
    "fr": "Voici des {kind} {at} :",
    "en": "Here are {kind} {at}:",
    "it": "{Kind} {at}:",
    "es": "{Kind} {at}:",
    "de": "{Kind} {at}:",
}
LIST_IN_PERIOD = {  # the same, with the period the question names ("du samedi 31 octobre au …")
    "fr": "Voici des {kind} {at}, {period} :",
    "en": "Here are {kind} {at}, {period}:",
    "it": "{Kind} {at}, {period}:",
    "es": "{Kind} {at}, {period}:",
    "de": "{Kind} {at}, {period}:",
}
# No event in the period named (or none to come): said plainly, rather than undated content
# offered in its place. {at} is empty or " " + a place with its preposition.
NO_EVENTS = {
    "fr": "Je n'ai trouvé aucun événement{at} {period} dans mes sources.",
    "en": "I found no event{at} {period} in my sources.",
    "it": "Non ho trovato nessun evento{at} {period} nelle mie fonti.",
    "es": "No he encontrado ningún evento{at} {period} en mis fuentes.",
    "de": "Ich habe in meinen Quellen keine Veranstaltung{at} {period} gefunden.",
}
PAST = {"fr": "date passée", "en": "past", "it": "data passata", "es": "fecha pasada", "de": "vorbei"}  # an item over
NO_UPCOMING_EVENTS = {
    "fr": "Je n'ai trouvé aucun événement à venir{at} dans mes sources.",
    "en": "I found no upcoming event{at} in my sources.",
    "it": "Non ho trovato nessun evento in programma{at} nelle mie fonti.",
    "es": "No he encontrado ningún evento próximo{at} en mis fuentes.",
    "de": "Ich habe in meinen Quellen keine bevorstehende Veranstaltung{at} gefunden.",
}
EVERYWHERE = {
    "fr": "sur tout le territoire", "en": "across the territory", "it": "in tutto il territorio",
    "es": "en todo el territorio", "de": "im ganzen Gebiet",
}
MORE = {"fr": "et {n} autres", "en": "and {n} more", "it": "e altri {n}", "es": "y {n} más", "de": "und {n} weitere"}
MORE_ONE = {"fr": "et 1 autre", "en": "and 1 more", "it": "e 1 altro", "es": "y 1 más", "de": "und 1 weiterer"}
TOWN_HALL = {
    "fr": "Mairie {of}", "en": "{commune} town hall", "it": "Comune di {commune}", "es": "Ayuntamiento de {commune}",
    "de": "Rathaus {commune}",
}
RELATED_KIND = {
    "fr": "{which} {kind} {at} ?", "en": "{which} {kind} {at}?", "it": "{which} {kind} {at}?",
    "es": "¿{which} {kind} hay {at}?", "de": "{which} {kind} gibt es {at}?",
}
RELATED_PLACE = {
    "fr": "Que faire {at} ?", "en": "What to do {at}?", "it": "Cosa fare {at}?", "es": "¿Qué hacer {at}?",
    "de": "Was kann man {at} unternehmen?",
}


def text(table: dict, lang: str, **values) -> str:
    """The entry of `table` in `lang` (English when there is none), filled in."""
    template = table.get(lang) or table["en"]
    values.setdefault("Kind", str(values.get("kind", "")).capitalize())
    return template.format(**values)


AND = {"fr": "et", "en": "and", "it": "e", "es": "y", "de": "und"}


def at(places: list[str] | str, lang: str, regions: frozenset = frozenset()) -> str:
    """Places with their locative preposition: "à Martigues", "au Rove", "à Aubagne et à La Ciotat",
    "dans le Pays d'Aix", "in Aubagne and La Ciotat"; `regions`: the names that are areas, not towns."""
    if isinstance(places, str):
        places = [places]
    if lang == "fr":
        return f" {AND['fr']} ".join(_at_one(p, lang, p in regions) for p in places)
    joined = places[0] if len(places) == 1 else ", ".join(places[:-1]) + f" {AND.get(lang, 'and')} {places[-1]}"
    return _at_one(joined, lang, False)


def _at_one(place: str, lang: str, region: bool = False) -> str:
    if lang == "fr" and region:
        return ("dans le " if place.split()[0] in ("Pays", "Parc", "Massif") else "dans le secteur ") + place
    if lang == "fr":
        for article, contracted in (("Le ", "au "), ("Les ", "aux ")):
            if place.startswith(article):
                return contracted + place[len(article):]
        return f"à {place}"
    return {"en": "in", "it": "a", "es": "en", "de": "in"}.get(lang, "in") + f" {place}"


def of(place: str) -> str:
    """French "de" with its elision: "d'Aubagne", "de La Ciotat", "du Rove"."""
    if place.startswith("Le "):
        return "du " + place[3:]
    if place.startswith("Les "):
        return "des " + place[4:]
    return ("d'" if place[:1].lower() in "aeiouyàâéèêîôûh" else "de ") + place


def town_hall(commune: str, lang: str) -> str:
    return text(TOWN_HALL, lang, commune=commune, of=of(commune))
