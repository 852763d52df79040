"""The words that tell what a question asks, in the languages Cigale answers in (fr, en, it,
es, de): linguistic knowledge, not territorial data (the territory's own names are in the pack).

Every cue is matched on folded word tokens (`analysis.words`: lower case, no accents, French
elisions dropped), as a whole phrase. Lists say what a visitor types, not what a grammar
allows: they grow from the questions that fail (bench/answers.py prints them).
"""

import enum
import re
from dataclasses import dataclass

from cigale.analysis import words


class Theme(enum.Enum):
    """What a question is about, to name the partner who knows (the pack's `partners`)."""

    TOURISM = "tourism"
    CULTURE = "culture"
    MOBILITY = "mobility"
    ECONOMY = "economy"
    HIGHER_EDUCATION = "higher_education"
    RESEARCH = "research"
    EDUCATION = "education"
    NATURE = "nature"
    PORT = "port"
    AIRPORT = "airport"
    COMMUNE_SERVICES = "commune_services"
    WASTE = "waste"
    HOUSING = "housing"
    HEALTH = "health"
    SPORT = "sport"
    OTHER = "other"


class Focus(enum.Enum):
    """The one thing a factual question wants to know about its subject."""

    WHEN = "when"  # dates, period, season
    YEAR = "year"  # founded, since when
    WHO = "who"  # supervising bodies, organiser, operator
    KIND = "kind"  # genre, type, discipline, domain
    COUNT = "count"  # how many (visitors, students, trips)
    WHAT = "what"  # what it shows, holds, works on
    LINE = "line"  # which railway line
    WHERE = "where"  # address, location
    WEBSITE = "website"
    PHONE = "phone"  # a telephone number
    EMAIL = "email"  # an e-mail address
    OTHER = "other"


class Aspect(enum.Enum):
    """The practical side of a how-to question; the evidence must hold it to answer."""

    HOURS = "hours"
    SERVICE = "service"  # an everyday public service or shop: its own documents must answer
    PRICE = "price"
    SCHEDULE = "schedule"
    PROCEDURE = "procedure"
    ACCESS = "access"


ELIDABLE = frozenset(("l", "d", "j", "m", "n", "s", "t", "c", "qu"))


GRAMS = 4  # the longest cue phrase, in words


def grams(tokens: list[str], longest: int = GRAMS) -> set[tuple[str, ...]]:
    """Every run of 1 to `longest` tokens: what cue phrases are looked up in."""
    return {tuple(tokens[i:i + n]) for n in range(1, longest + 1) for i in range(len(tokens) - n + 1)}


def phrases(*texts: str) -> frozenset[tuple[str, ...]]:
    """Cue phrases as folded token tuples, with and without the letters French elides ("c est
    ou" matches "c'est où", whose "c'" the tokenizer drops, and "c est ou" typed without it)."""
    out = set()
    for text in texts:
        key = tuple(words(text))
        out.update(k for k in (key, tuple(w for w in key if w not in ELIDABLE)) if k)
    return frozenset(out)


# Words that ask for several things: "quels musées", "which festivals", "welche Museen".
LIST_CUES = phrases(
    "quels", "quelles", "liste", "lister", "lesquels", "lesquelles", "y a t il des", "il y a des", "tous les",
    "toutes les", "des idees de", "what are the", "list", "are there", "there are", "any good",
    "quali", "ci sono", "elenco", "cuales", "que hay", "hay", "gibt es", "alle",
)
# Words that ask about one thing ("quel architecte", "which year", "wer"): a factual question,
# unless a kind is asked for in the plural.
SINGLE_CUES = phrases(
    "quel", "quelle", "qui", "what", "which", "who", "qual", "quale", "che", "chi", "cual", "quien", "welcher",
    "welches", "welche", "wer", "combien", "how", "wie",
)
# "Where" that asks for places, not for the address of one thing: "où voir de l'art contemporain ?"
WHERE_ITEMS = phrases(
    "ou voir", "ou faire", "ou trouver", "ou aller", "ou peut on", "ou se font", "se fait", "se font", "where can",
    "where to", "where are", "is done", "are done", "done", "is carried out", "dove vedere", "dove trovare",
    "donde ver",
    "donde hay", "wo kann man", "wo gibt es",
)

# The primary focus is the first found, so the narrowest come first: "What is the phone number…"
# asks for a phone number before anything "what is" asks. A cue inside a longer cue of another
# focus does not count (intent.py): "numéro de" in "numéro de téléphone", "address" in "e-mail address".
FOCUS_CUES: dict[Focus, frozenset] = {
    Focus.PHONE: phrases(
        "telephone", "numero de telephone", "numero de tel", "appeler", "phone", "phone number",
        "telephone number", "telefono", "numero di telefono", "numero de telefono", "telefon", "telefonnummer",
        "rufnummer",
    ),
    Focus.EMAIL: phrases(
        "courriel", "mail", "e mail", "email", "mel", "adresse mail", "adresse e mail", "adresse email",
        "adresse electronique", "email address", "e mail address", "mail address", "indirizzo email",
        "indirizzo e mail", "correo", "correo electronico", "e mail adresse", "email adresse",
    ),
    Focus.YEAR: phrases(
        "depuis quand", "en quelle annee", "quelle annee", "date de creation", "annee de creation", "cree", "creee",
        "fonde", "fondee", "date de quand", "existe depuis", "ne en", "premiere edition", "depuis combien",
        "founded", "created", "established", "what year", "which year", "since when", "how old", "first year",
        "first edition", "fondato", "fondata", "creato", "in che anno",
        "da quando", "fundado", "fundada", "creado", "en que ano", "desde cuando", "gegrundet", "seit wann",
        "in welchem jahr",
    ),
    Focus.WHEN: phrases(
        "quand", "a quelle periode", "quelle periode", "periode", "quelle saison", "quel mois", "quelles dates",
        "dates", "a quelle date", "quel moment", "a quel moment", "moment de l annee", "when", "what time of year",
        "which period", "which month", "what dates", "season", "quando",
        "che periodo", "in che periodo", "cuando", "en que epoca", "fechas", "wann", "zu welcher zeit",
        "welcher monat",
    ),
    Focus.WHO: phrases(
        "qui", "tutelle", "tutelles", "qui gere", "qui organise", "organisateur", "rattache",
        "who", "supervise", "supervises", "supervised", "supervising", "supervisory", "supervision", "oversees",
        "affiliated", "parent institution", "belongs to", "behind", "derriere", "qui porte", "porte par",
        "supervisa", "supervisiona", "betreut", "runs it", "run by", "in charge", "parent institutions",
        "operated by", "chi", "gestisce", "ente", "enti", "quien", "quienes", "organiza", "wer", "betreibt",
        "trager",
    ),
    Focus.KIND: phrases(
        "quel type", "quel genre", "quelle sorte", "c est quoi comme", "quoi comme", "quel style", "genre",
        "type de", "discipline", "repertoire", "quel repertoire", "style", "styles", "de quoi", "c est du",
        "what kind", "what type", "what sort", "which kind", "genre of", "che tipo",
        "che genere", "di che tipo", "que tipo", "que clase", "de que trata", "was fur", "welche art", "welcher art",
    ),
    Focus.COUNT: phrases(
        "combien", "nombre de", "quel nombre", "how many", "number of", "quanti", "quante", "quantos", "cuantos",
        "cuantas", "numero de", "wie viele", "wieviele", "anzahl", "visiteurs", "frequentation", "effectifs",
        "etudiants", "visitors", "visitor numbers", "attendance", "students", "student numbers", "visitatori",
        "visitantes", "besucher", "studenten",
    ),
    Focus.WHAT: phrases(
        "qu est ce qu on", "que voir", "quoi voir", "y voit", "voir au", "il y a quoi", "y a quoi", "contient",
        "collections", "presente", "domaines de recherche", "domaine de recherche", "thematiques", "research areas",
        "research fields", "fields", "travaille sur", "travaillent sur", "fait quoi", "c est quoi", "what can you see",
        "what can i see", "what is there", "what does", "works on", "work on", "what is", "what s", "cosa si",
        "cosa vedere", "che cosa", "cos e", "que se puede ver", "que ver", "que es", "was kann man", "was gibt es",
        "was ist", "woran", "sehen",
    ),
    Focus.LINE: phrases(
        "ligne", "lignes", "quelle ligne", "voie ferree", "line", "lines", "which line", "rail line",
        "railway line", "linea", "linee", "lineas", "linie", "linien", "strecke", "bahnlinie",
    ),
    Focus.WHERE: phrases(
        "ou se trouve", "se trouve ou", "se trouve", "ou est", "adresse", "ou c est", "c est ou", "se passe ou",
        "ca se passe", "ou a lieu", "quel lieu", "lieu", "where is", "where s", "address", "located", "held",
        "take place", "takes place", "venue", "dove si trova", "dove", "indirizzo", "donde esta", "donde",
        "direccion", "wo ist", "wo liegt", "wo findet", "adresse von",
    ),
    Focus.WEBSITE: phrases(
        "site", "site internet", "site web", "lien", "website", "web site", "url", "sito", "sitio web", "pagina web",
        "webseite", "internetseite",
    ),
}

# What a line of a source is about, by its label ("Année de création : 1980"): the words a
# label for each focus carries, in the collection's languages (French first, then English).
FOCUS_LABELS: dict[Focus, frozenset] = {
    Focus.YEAR: phrases("annee de creation", "date de creation", "annee", "creation", "fondation", "founded",
                        "established", "year"),
    Focus.WHEN: phrases("periode", "dates", "date", "saison", "mois", "deroulement", "edition", "when", "season"),
    Focus.WHO: phrases("tutelles", "tutelle", "organisateur", "gestionnaire", "porteur", "etablissement",
                       "maire", "mayor", "president", "presidente", "directeur", "directrice", "director",
                       "statut", "operator", "supervising", "organiser", "organizer"),
    Focus.KIND: phrases("discipline", "musique", "spectacle vivant", "arts visuels", "arts visuels et numeriques",
                        "livre", "livre et litterature", "cinema et audiovisuel", "type", "types",
                        "typologie", "categorie", "domaine", "domaines", "domaines thematiques", "genre",
                        "classement", "kind"),
    Focus.COUNT: phrases("nombre", "effectifs", "frequentation", "total", "courses", "capacite", "emplacements",
                         "number", "visitors", "students"),
    Focus.WHAT: phrases("collections", "themes des collections", "domaines thematiques", "atouts",
                        "domaine scientifique", "description", "artistes", "interet", "panel", "collection"),
    Focus.LINE: phrases("ligne", "lignes", "ligne s du reseau ferre national", "reseau ferre national", "line"),
    Focus.WHERE: phrases("adresse", "complement d adresse", "localite", "lieu", "address", "location"),
    Focus.WEBSITE: phrases("site internet", "site", "page wikipedia", "website", "liens"),
    Focus.PHONE: phrases("telephone", "tel", "phone", "telefono", "telefon"),
    Focus.EMAIL: phrases("courriel", "e mail", "email", "mail", "mel", "adresse electronique", "correo"),
}

ASPECT_CUES: dict[Aspect, frozenset] = {
    Aspect.HOURS: phrases(
        "horaire", "horaires", "heure d ouverture", "heures d ouverture", "horaires d ouverture", "ouverture",
        "ouvert", "ouverte", "ouverts", "ouvre",
        "fermeture", "opening hours", "open on", "open today", "opening times", "is open", "closing time",
        "orari", "orario", "aperto", "horario", "horarios", "abierto", "offnungszeiten", "geoffnet", "offen",
    ),
    Aspect.PRICE: phrases(
        "prix", "tarif", "tarifs", "combien coute", "combien ca coute", "cout", "coute", "payer", "payant", "euros",
        "abonnement", "how much", "price", "prices", "cost", "costs", "fee", "fees", "fare", "quanto costa",
        "prezzo", "prezzi", "costo", "biglietto", "cuanto cuesta", "cuanto vale", "precio", "precios", "tarifa",
        "kostet", "preis", "preise", "gebuhr", "taxe de sejour", "tourist tax",
    ),
    Aspect.SCHEDULE: phrases(
        "a quelle heure", "quand passe", "prochain", "prochaine", "frequence", "quel jour", "quels jours",
        "timetable", "next bus", "what time", "when does", "departs", "what day", "what days", "which day",
        "which days", "a che ora", "giorni di", "che giorno", "a que hora", "que dias", "que dia", "dias de",
        "um wie viel uhr", "fahrplan", "an welchen tagen", "abfahrtszeiten",
    ),
    Aspect.PROCEDURE: phrases(
        "comment faire", "comment obtenir", "comment s inscrire", "s inscrire", "inscrire", "inscription",
        "demarche", "demarches", "formulaire", "dossier", "demande de", "renouveler", "passeport",
        "carte d identite", "permis de construire", "how do i", "how can i", "how to", "apply for", "register",
        "sign up", "renew", "come faccio", "come posso", "iscrizione", "como hago", "como puedo", "inscribir",
        "wie kann ich", "beantragen", "anmelden",
    ),
    Aspect.SERVICE: phrases(
        "pharmacie de garde", "medecin de garde", "urgence", "urgences", "dechetterie", "encombrants", "poubelle",
        "sacs jaunes", "composteur", "carte grise", "carte d identite", "passeport", "acte de naissance",
        "etat civil", "creche", "cantine", "rendez vous", "rdv", "fuite", "coupure", "badge", "location",
        "louer", "acheter", "reserver", "reservation", "night pharmacy", "pharmacy", "emergency", "rent",
        "buy", "book", "farmacia", "urgenza", "alquilar", "comprar", "apotheke", "notdienst", "mieten", "kaufen",
    ),
    Aspect.ACCESS: phrases(
        "comment aller", "comment venir", "comment se rendre", "pour aller", "se garer", "navette", "how to get",
        "how do i get", "getting to", "get from", "shuttle", "come arrivare", "como llegar", "wie komme ich",
        "anfahrt",
    ),
}

# Rankings and judgements of places or businesses: Cigale does not rank the territory.
OPINION_CUES = phrases(
    "meilleur", "meilleure", "meilleurs", "meilleures", "mieux", "le plus beau", "la plus belle", "les plus beaux",
    "les plus belles", "le plus sympa", "la plus sympa", "le plus agreable", "la plus agreable", "le plus sur",
    "la plus sure", "le plus dangereux", "la plus dangereuse", "pire", "vaut il mieux", "vaut mieux", "preferable",
    "conseilles", "recommandes", "plus sympa", "plus agreable", "plus belle", "plus beau", "best", "better",
    "worst", "nicest", "nicer", "prettiest", "most beautiful", "safest", "most dangerous", "recommend", "should i",
    "worth living", "prefer", "versus", "vs", "compared to", "eviter", "a eviter", "dangereux", "dangereuse",
    "top", "prestigieux", "surcote", "avoid", "dangerous", "unsafe", "prestigious", "overrated", "underrated",
    "migliore", "migliori", "meglio", "piu bello",
    "piu bella", "peggiore", "mejor", "mejores", "peor", "mas bonito", "mas bonita", "mas segura", "beste",
    "besten", "besser", "schonste", "schonsten", "gefahrlichste", "empfehlen",
)

# Tasks that are not questions about the territory.
OUT_OF_SCOPE_CUES = phrases(
    "poeme", "poesie", "blague", "recette", "ecris moi", "ecris un", "redige", "calcule", "traduis", "code python",
    "programme en", "poem", "joke", "recipe", "write me", "write a", "calculate", "translate", "python code",
    "javascript", "poesia", "barzelletta", "ricetta", "scrivi", "chiste", "receta", "escribe", "gedicht", "witz",
    "rezept", "schreib",
)

# A question that speaks to the model rather than about the territory. Sources get the same
# treatment (answers/injection.py); these are the forms seen in questions.
INJECTION_CUES = phrases(
    "ignore tes instructions", "ignore les instructions", "ignore tes consignes", "ignore les consignes",
    "ignore toutes", "ignore tout", "oublie tes instructions", "oublie tes consignes", "oublie tout",
    "oublie les consignes", "tu es maintenant", "fais comme si", "joue le role", "prompt systeme", "ton prompt",
    "tes instructions", "tes consignes", "ignore previous", "ignore all", "ignore your", "ignore the above",
    "ignore prior", "disregard", "forget everything", "forget your", "forget all", "you are now", "act as",
    "pretend", "system prompt", "your prompt", "your instructions", "your rules", "developer mode", "jailbreak",
    "dan mode", "from now on", "desormais", "a partir de maintenant", "sans restriction", "sans filtre",
    "unfiltered", "no restrictions", "developer", "administrateur", "admin", "print your", "reveal", "revele",
    "affiche tes", "montre tes", "system instructions", "hidden instructions", "repete", "repeat", "d ora in poi",
    "da adesso", "senza restrizioni", "a partir de ahora", "sin restricciones", "ab jetzt", "ohne einschrankungen",
    "versteckten", "systemanweisungen", "ignora le istruzioni", "ignora tutte", "dimentica", "istruzioni di sistema",
    "sei ora",
    "ignora las instrucciones", "ignora tus", "olvida", "instrucciones del sistema", "ahora eres",
    "ignoriere", "vergiss", "systemprompt", "du bist jetzt", "anweisungen",
)
INJECTION_MARKERS = ("system:", "assistant:", "<|", "[inst]", "###", "</")
# Superlatives of judgement ("le plus intéressant", "the most prestigious", "il più bello"), but
# not of size or age ("la plus grande ville", "the oldest museum"), which are facts.
SUPERLATIVE = re.compile(r"\b(?:(?:le|la|les|l) plus|the most|most|(?:il|la|i|le) più|(?:el|la|los|las) más)\s+(\w+)",
                         re.IGNORECASE)
FACTUAL_SUPERLATIVES = frozenset(words(
    "grand grande grands grandes gros grosse ancien ancienne anciens anciennes vieux vieille vieilles peuple "
    "peuplee haut haute long longue petit petite proche proches recent recente important importante big large "
    "old visited populated famous known biggest largest oldest newest nearest closest highest longest smallest "
    "grande grandi antico antica vecchio vicino grandes antiguo antigua cercano de des of du di"))

# Words of a question that carry no concept of their own: question words, politeness, the
# verbs of asking. What remains, once places are out, is what the evidence must hold.
QUESTION_WORDS = phrases(
    "quel", "quels", "quelle", "quelles", "quoi", "que", "qu", "qui", "ou", "quand", "comment", "combien",
    "pourquoi", "est", "ce", "il", "y", "a", "t", "on", "peut", "peux", "faire", "voir", "trouver", "visiter",
    "aller", "connaitre", "savoir", "dire", "donner", "moi", "svp", "merci", "bonjour", "sympa", "sympas",
    "coin", "ici", "the", "what", "which", "who", "where", "when", "how", "many", "much", "can", "could", "you",
    "i", "we", "is", "are", "there", "do", "does", "did", "see", "find", "visit", "go", "get", "tell", "me",
    "please", "some", "any", "good", "nice", "area", "around", "here", "cosa", "quale", "quali", "chi", "dove",
    "quando", "come", "quanto", "quanti", "posso", "vedere", "visitare", "ci", "sono", "che", "c", "e", "que",
    "cual", "cuales", "quien", "donde", "cuando", "como", "cuanto", "puedo", "ver", "hay", "visitar", "was",
    "welche", "welcher", "wer", "wo", "wann", "wie", "viele", "kann", "man", "gibt", "es", "sehen", "besuchen",
    "c est", "y a t il", "il y a", "est ce que", "qu est ce que", "dans le coin", "a voir", "to see", "to do",
    "da vedere", "para ver", "zu sehen", "lesquels", "lesquelles", "liste", "list", "elenco", "alle",
)


@dataclass(frozen=True)
class Kind:
    """A kind of thing a visitor asks for, with its names per language (the first one plural,
    for frames such as "Voici des musées à Martigues"), the words that mark a document as one
    of them, and the labels of the lines that describe one best."""

    id: str
    theme: Theme
    names: dict[str, tuple[str, ...]]
    marks: frozenset  # in a source's title or first line: this document is one of them
    details: frozenset  # labels of its most telling lines ("Discipline dominante", "Domaines thématiques")
    dated: bool = False  # it happens on dates (concerts, shows, events): with a period named, only dated ones answer

    def plural(self, lang: str) -> str:
        return (self.names.get(lang) or self.names["en"])[0]

    def which(self, lang: str) -> str:
        """The interrogative that agrees with the plural: "Quelles gares", "Quels musées"."""
        if lang == "fr":
            return "Quelles" if self.plural("fr") in FEMININE_FR else "Quels"
        return {"en": "Which", "it": "Quali", "es": "Qué", "de": "Welche"}.get(lang, "Which")


def _kind(id: str, theme: Theme, names: dict[str, str], marks: str, details: str = "", dated: bool = False) -> Kind:
    split = {lang: tuple(n.strip() for n in value.split(",")) for lang, value in names.items()}
    every = [n for value in split.values() for n in value]
    return Kind(id, theme, split, phrases(*every, *marks.split(",")), phrases(*details.split(",")) if details
                else frozenset(), dated)


# French plurals of the feminine kinds, for "Quelles gares… ?"
FEMININE_FR = frozenset(("gares", "plages", "médiathèques", "piscines", "structures de recherche",
                         "établissements d'enseignement supérieur"))

KINDS: tuple[Kind, ...] = (
    _kind("festival", Theme.CULTURE, {
        "fr": "festivals, festival, fêtes, fête, rencontres", "en": "festivals, festival, fest",
        "it": "festival, festivals, rassegne", "es": "festivales, festival", "de": "Festivals, Festival, Festspiele"},
        "festival", "discipline dominante,musique,spectacle vivant,arts visuels,livre,periode principale"),
    _kind("museum", Theme.CULTURE, {
        "fr": "musées, musée, muséum, muséums", "en": "museums, museum", "it": "musei, museo",
        "es": "museos, museo", "de": "Museen, Museum"},
        "musee de france,musee", "domaines thematiques,themes des collections,atouts"),
    _kind("station", Theme.MOBILITY, {
        "fr": "gares, gare, haltes, halte", "en": "stations, station, train stations, train station, railway stations",
        "it": "stazioni, stazione", "es": "estaciones, estación, estaciones de tren", "de": "Bahnhöfe, Bahnhof"},
        "gare de voyageurs,gare,point ferroviaire", "reseau ferre national,ligne"),
    _kind("lycee", Theme.EDUCATION, {
        "fr": "lycées, lycée",
        "en": "high schools, high school, lycées, lycée, secondary schools",
        "it": "licei, liceo, scuole superiori", "es": "institutos, instituto, liceos, liceo",
        "de": "Gymnasien, Gymnasium, Oberschulen"},
        "lycee,lycees", ""),
    _kind("lab", Theme.RESEARCH, {
        "fr": "laboratoires, laboratoire, labos, labo, unités de recherche, structures de recherche, "
              "centres de recherche, centre de recherche, instituts de recherche",
        "en": "labs, lab, laboratories, laboratory, research centres, research centers, research centre, "
              "research center, research units, research institutes, research",
        "it": "laboratori, laboratorio, centri di ricerca", "es": "laboratorios, laboratorio, centros de investigación",
        "de": "Labore, Labor, Forschungszentren, Forschungsinstitute, Forschungseinrichtungen"},
        "structure de recherche,unite de recherche,laboratoire", "domaine scientifique,tutelles,panel erc"),
    _kind("garden", Theme.NATURE, {
        "fr": "jardins, jardin, parcs, parc", "en": "gardens, garden, parks, park", "it": "giardini, giardino, parchi",
        "es": "jardines, jardín, parques", "de": "Gärten, Garten, Parks"},
        "jardin remarquable,jardin", "types,description"),
    _kind("higher_education", Theme.HIGHER_EDUCATION, {
        "fr": "établissements d'enseignement supérieur, universités, université, grandes écoles, école, écoles, "
              "études supérieures, écoles d'ingénieurs",
        "en": "universities, university, higher education, colleges, engineering schools, business schools, "
              "schools", "it": "università, scuole di ingegneria", "es": "universidades, universidad, escuelas",
        "de": "Hochschulen, Universitäten, Universität"},
        "enseignement superieur,universite,ecole", "statut juridique,effectifs d etudiants inscrits"),
    _kind("hotel", Theme.TOURISM, {
        "fr": "hôtels, hôtel, hébergements, hébergement", "en": "hotels, hotel, accommodation",
        "it": "alberghi, albergo, hotel", "es": "hoteles, hotel, alojamiento", "de": "Hotels, Hotel, Unterkunft"},
        "hotel,hotel de tourisme,residence de tourisme", "classement,nombre de chambres"),
    _kind("campsite", Theme.TOURISM, {
        "fr": "campings, camping", "en": "campsites, campsite, campgrounds, camping", "it": "campeggi, campeggio",
        "es": "campings, camping", "de": "Campingplätze, Campingplatz"},
        "camping", "classement,nombre d emplacements"),
    _kind("port", Theme.PORT, {
        "fr": "ports, port", "en": "ports, port, harbours, harbour, harbors", "it": "porti, porto",
        "es": "puertos, puerto", "de": "Häfen, Hafen"}, "port", ""),
    _kind("airport", Theme.AIRPORT, {
        "fr": "aéroports, aéroport", "en": "airports, airport", "it": "aeroporti, aeroporto",
        "es": "aeropuertos, aeropuerto", "de": "Flughäfen, Flughafen"}, "aeroport,airport", ""),
    # Kinds the corpus may not hold: recognised so that the question is understood and, when
    # nothing answers, refused with the right expert.
    _kind("beach", Theme.TOURISM, {
        "fr": "plages, plage, criques", "en": "beaches, beach, coves", "it": "spiagge, spiaggia",
        "es": "playas, playa", "de": "Strände, Strand"}, "plage", ""),
    _kind("library", Theme.COMMUNE_SERVICES, {
        "fr": "médiathèques, médiathèque, bibliothèques, bibliothèque", "en": "libraries, library",
        "it": "biblioteche, biblioteca", "es": "bibliotecas, biblioteca", "de": "Bibliotheken, Bibliothek"},
        "mediatheque,bibliotheque", ""),
    _kind("pool", Theme.COMMUNE_SERVICES, {
        "fr": "piscines, piscine", "en": "swimming pools, swimming pool, pools, pool", "it": "piscine, piscina",
        "es": "piscinas, piscina", "de": "Schwimmbäder, Schwimmbad, Hallenbad"}, "piscine", ""),
    _kind("restaurant", Theme.TOURISM, {
        "fr": "restaurants, restaurant", "en": "restaurants, restaurant", "it": "ristoranti, ristorante",
        "es": "restaurantes, restaurante", "de": "Restaurants, Restaurant"}, "restaurant", ""),
    _kind("market", Theme.COMMUNE_SERVICES, {
        "fr": "marchés, marché", "en": "markets, market", "it": "mercati, mercato", "es": "mercados, mercado",
        "de": "Märkte, Markt, Wochenmarkt"}, "marche", ""),
    _kind("cinema", Theme.CULTURE, {
        "fr": "cinémas, cinéma", "en": "cinemas, cinema, movie theaters", "it": "cinema", "es": "cines, cine",
        "de": "Kinos, Kino"}, "cinema", ""),
    _kind("hospital", Theme.HEALTH, {
        "fr": "hôpitaux, hôpital, cliniques, clinique, urgences", "en": "hospitals, hospital, clinics",
        "it": "ospedali, ospedale", "es": "hospitales, hospital", "de": "Krankenhäuser, Krankenhaus"},
        "hopital,clinique", ""),
    _kind("parking", Theme.MOBILITY, {
        "fr": "parkings, parking, stationnement", "en": "car parks, parking", "it": "parcheggi, parcheggio",
        "es": "aparcamientos, aparcamiento, parking", "de": "Parkplätze, Parkplatz, Parkhaus"}, "parking", ""),
    # Things that happen on dates, after "festival" (named first when both are: "spectacles de rue :
    # quels festivals ?"). Their documents come from the partners' agendas (iCal, schema.org Event).
    _kind("concert", Theme.CULTURE, {
        "fr": "concerts, concert", "en": "concerts, concert, gigs, gig", "it": "concerti, concerto",
        "es": "conciertos, concierto", "de": "Konzerte, Konzert"}, "concert,recital", dated=True),
    _kind("show", Theme.CULTURE, {
        "fr": "spectacles, spectacle, représentations", "en": "shows, performances",
        "it": "spettacoli, spettacolo", "es": "espectáculos, espectáculo", "de": "Aufführungen, Vorstellungen"},
        "spectacle,representation", dated=True),
    _kind("event", Theme.TOURISM, {
        "fr": "événements, événement, manifestations, manifestation, animations, sorties",
        "en": "events, event, happenings", "it": "eventi, evento, manifestazioni", "es": "eventos, evento",
        "de": "Veranstaltungen, Veranstaltung, Events"}, "evenement,manifestation,event", dated=True),
)
EVENT = next(k for k in KINDS if k.id == "event")


def kinds_named(title: str, first_line: str) -> frozenset[str]:
    """The kinds a document is, by what its title and first line name. A first line that says
    what the thing is ("X — structure de recherche…", "X — festival à…") wins over a title word:
    "Centre de Recherche de l'Ecole de l'Air" is a lab, not a school."""
    what = grams(words(first_line.split(" — ", 1)[1])) if " — " in first_line else set()
    said = frozenset(k.id for k in KINDS if what & k.marks)
    if said:
        return said
    named = grams(words(f"{title}\n{first_line}"))
    return frozenset(k.id for k in KINDS if named & k.marks)
# Words that ask what is on, whatever its kind ("what's on in Aubagne?", "l'agenda du week-end").
EVENT_CUES = phrases("what s on", "whats on", "what is on", "what s happening", "agenda", "ou sortir",
                     "cosa c e", "que pasa", "was ist los", "veranstaltungskalender")
# Words that ask for the news: they say when (now), not what (when.timely reads them too).
NEWS_CUES = phrases("actualite", "actualites", "actu", "actus", "quoi de neuf", "nouvelles", "news", "what s new",
                    "latest", "latest news", "notizie", "noticias", "nachrichten", "neuigkeiten")
# Words that ask what to do: with a period named ("que faire ce week-end ?"), what is on then.
OUTING_CUES = phrases("que faire", "quoi faire", "faire quoi", "things to do", "what to do", "what can we do",
                      "what can i do", "cosa fare", "que hacer", "was tun", "was unternehmen", "was kann man machen")

def titled_plural(title: str, kind: Kind | None = None) -> bool:
    """A title that names a kind in the plural ("Lycées de Martigues"): a source listing several.
    Plurals that are also singulars (Italian "festival") prove nothing."""
    runs = grams(words(title), 3)
    return any(tuple(words(p)) in runs for k in ((kind,) if kind else KINDS) for p in _plurals(k))


def _plurals(kind: Kind) -> set[str]:
    """The kind's names that are the plural of another of its names: "lycées" (of "lycée")."""
    every = {n for names in kind.names.values() for n in names}
    return {n for n in every if n[-1:] in ("s", "x") and n[:-1] in every}


# Topic words that name the theme when no kind does ("un ticket de bus", "emploi", "déchets").
THEME_CUES: dict[Theme, frozenset] = {
    Theme.MOBILITY: phrases("bus", "tram", "tramway", "metro", "train", "trains", "tgv", "ter", "navette", "velo",
                            "covoiturage", "transport", "transports", "ticket", "rtm", "ferry", "treno", "autobus",
                            "tren", "zug", "bahn"),
    Theme.ECONOMY: phrases("entreprise", "entreprises", "emploi", "chomage", "investir", "investissement",
                           "implanter", "startup", "coworking", "zone d activite", "business", "company",
                           "companies", "jobs", "unemployment", "invest", "office space", "lavoro", "empresa",
                           "empleo", "arbeit", "unternehmen", "industrie", "industry", "economie", "economy"),
    Theme.WASTE: phrases("dechetterie", "dechetteries", "dechets", "encombrants", "poubelle", "poubelles", "tri",
                         "ordures", "recyclage", "waste", "recycling", "bins", "rifiuti", "basura", "residuos",
                         "mull", "abfall"),
    Theme.HOUSING: phrases("logement", "logements", "loyer", "loyers", "m2", "immobilier", "appartement", "maison",
                           "louer", "acheter", "housing", "rent", "real estate", "apartment", "flat", "affitto",
                           "alquiler", "vivienda", "miete", "wohnung"),
    Theme.HEALTH: phrases("pharmacie", "medecin", "hopital", "urgences", "sante", "pharmacy", "doctor", "health",
                          "farmacia", "medico", "apotheke", "arzt"),
    Theme.COMMUNE_SERVICES: phrases("mairie", "maire", "conseil municipal", "conseillers municipaux", "mayor",
                                    "municipal council", "sindaco", "alcalde", "burgermeister",
                                    "hotel de ville", "etat civil", "passeport", "carte d identite",
                                    "creche", "cantine", "ecole maternelle", "permis de construire", "elections",
                                    "town hall", "city hall", "municipio", "ayuntamiento", "rathaus"),
    Theme.NATURE: phrases("randonnee", "randonnees", "nature", "sentier", "sentiers", "massif", "hike", "hiking",
                          "trail", "trails", "escursione", "senderismo", "wandern", "wanderung"),
    Theme.TOURISM: phrases("tourisme", "touriste", "visiter", "vacances", "week end", "que faire", "tourism",
                           "tourist", "things to do", "holiday", "vacanza", "vacaciones", "urlaub"),
    Theme.HIGHER_EDUCATION: phrases("etudes", "etudiant", "etudiants", "master", "licence", "doctorat", "students",
                                    "study", "studying", "degree", "studiare", "estudiar", "studieren"),
    Theme.RESEARCH: phrases("recherche", "chercheur", "chercheurs", "scientifique", "research", "science",
                            "ricerca", "investigacion", "forschung"),
    Theme.AIRPORT: phrases("avion", "vol", "vols", "flight", "flights", "volo", "vuelo", "flug"),
    Theme.PORT: phrases("croisiere", "cruise", "bateau", "maritime", "fret maritime", "crociera", "crucero"),
    Theme.SPORT: phrases("sport", "stade", "football", "tennis", "nager", "natation", "stadium", "swimming"),
    Theme.CULTURE: phrases("culture", "concert", "concerts", "expo", "exposition", "spectacle", "spectacles",
                           "theatre", "opera", "art", "patrimoine", "exhibition", "show", "mostra", "exposicion",
                           "ausstellung"),
}

# A document's category (the corpus's `category`, the engine's `theme`), by its first word.
CATEGORY_THEMES: dict[str, Theme] = {
    "culture": Theme.CULTURE, "tourisme": Theme.TOURISM, "tourism": Theme.TOURISM, "mobilite": Theme.MOBILITY,
    "mobility": Theme.MOBILITY, "economie": Theme.ECONOMY, "economy": Theme.ECONOMY,
    "recherche": Theme.RESEARCH, "research": Theme.RESEARCH, "education": Theme.EDUCATION,
    "universites": Theme.HIGHER_EDUCATION, "enseignement superieur": Theme.HIGHER_EDUCATION,
    "nature": Theme.NATURE, "sante": Theme.HEALTH, "sport": Theme.SPORT, "logement": Theme.HOUSING,
}
# "économie/recherche": the second word is the more precise one.
CATEGORY_SUBTHEMES: dict[str, Theme] = {
    "recherche": Theme.RESEARCH, "aeroport": Theme.AIRPORT, "port": Theme.PORT, "gare": Theme.MOBILITY,
    "enseignement superieur": Theme.HIGHER_EDUCATION, "festival": Theme.CULTURE,
    "mairie": Theme.COMMUNE_SERVICES,  # the starter corpus's town-hall sheets (territory/starter.py)
}

# The same concept across languages, for the words questions ask about most: a question's word
# is found in a source when any word of its group is ("Einwohner" in "Population : 21 597").
SYNONYMS: tuple[frozenset, ...] = tuple(phrases(*group.split(",")) for group in (
    "habitants,population,inhabitants,residents,people,abitanti,popolazione,habitantes,poblacion,einwohner,"
    "bevolkerung",
    "visiteurs,frequentation,entrees,visitors,visits,attendance,visitatori,visite,visitantes,visitas,besucher",
    "etudiants,effectifs,students,enrolment,studenti,estudiantes,studenten,studierende",
    "mairie,hotel de ville,town hall,city hall,municipio,ayuntamiento,rathaus",
    "creation,cree,creee,fonde,fondee,fondation,founded,created,established,fondato,fondata,fundado,fundada,creado,"
    "gegrundet",
    "tutelles,tutelle,supervising,supervised,supervises,supervise,supervisory,tutela,enti,supervisa,trager",
    "ligne,lignes,line,lines,linea,linee,lineas,linie,linien,bahnlinie",
    "fret,freight,cargo,merci,mercancias,guter,guterverkehr",
    "voyageurs,passengers,passenger,passeggeri,pasajeros,fahrgaste,reisende,personenverkehr",
    "adresse,address,indirizzo,direccion",
    "site,site internet,website,web site,sito,sitio web,webseite",
    "collections,collection,collezioni,collezione,colecciones,coleccion,sammlung,sammlungen",
    "histoire,historique,history,historical,storia,storico,historia,historico,geschichte",
    "archeologie,archeologique,archaeology,archeology,archaeological,archeologia,arqueologia,archaologie",
    "musique,musiques,music,musica,musik",
    "theatre,theater,teatro",
    "danse,dance,danza,tanz",
    "cinema,film,films,movies,cine,kino,filme",
    "bande dessinee,bd,comics,comic,fumetto,fumetti,comic",
    "livre,livres,litterature,books,book,literature,libro,libri,letteratura,libros,literatura,buch,bucher,literatur",
    "photographie,photo,photography,fotografia,fotografie",
    "classique,classical,classica,clasica,klassisch,klassik",
    "opera,operas,lyrique,oper",
    "mer,marin,marine,sea,marine,ocean,oceanologie,mare,mar,meer",
    "environnement,environment,environmental,ambiente,medio ambiente,umwelt",
    "energie,energy,energia,energie",
    "nucleaire,nuclear,nucleare,nuklear,kern",
    "neurosciences,neuroscience,neuroscienze,neurociencia,neurowissenschaft",
    "mathematiques,maths,mathematics,math,matematica,matematiche,matematicas,mathematik",
    "informatique,computer science,computing,informatica,informatik",
    "chimie,chemistry,chimica,quimica,chemie",
    "physique,physics,fisica,physik",
    "biologie,biology,biologia,biologie",
    "economie,economics,economia,wirtschaft",
    "droit,law,diritto,derecho,recht",
    "histoire naturelle,natural history,storia naturale,historia natural,naturkunde",
    "beaux arts,fine arts,belle arti,bellas artes,bildende kunst",
    "militaire,military,militare,militar,militar,militargeschichte",
    "chambres,rooms,camere,habitaciones,zimmer",
    "etoiles,stars,stelle,estrellas,sterne",
    "emplacements,pitches,places,piazzole,parcelas,stellplatze",
    "jardin,jardins,garden,gardens,giardino,giardini,jardines,garten",
    "art,arts,arte,kunst",
    "contemporain,contemporary,contemporaneo,zeitgenossisch",
    "moderne,modern,moderno",
    "professionnel,professionnels,professional,vocational,profesional,professionale,berufsbildend,berufsschule",
    "prive,privee,private,privato,privado,privat",
    "public,publique,state,pubblico,publico,offentlich,staatlich",
    "baignade,baigner,se baigner,swim,swimming,bathing,bagno,nuotare,banarse,nadar,baden,schwimmen",
    "maladie,maladies,disease,diseases,malattia,malattie,enfermedad,enfermedades,krankheit,krankheiten",
    "infectieuse,infectieuses,infection,infections,infectious,infettive,infecciosas,infektion,infektionen",
    "sante,health,salute,salud,gesundheit",
    "enfants,enfant,jeune public,kids,children,child,bambini,ninos,kinder",
    "ecoles d ingenieurs,ecole d ingenieurs,ingenieurs,engineering,engineers,ingegneria,ingenieria,ingenieur",
))
# Words of time that say when, not what: they need not be in the evidence.
TIME_WORDS = phrases(
    "aujourd hui", "demain", "hier", "ce soir", "soir", "matin", "midi", "nuit", "lundi", "mardi", "mercredi",
    "jeudi", "vendredi", "samedi", "dimanche", "semaine", "week end", "maintenant", "en ce moment", "moment",
    "actuellement", "cette annee", "today", "tomorrow", "tonight", "now", "right now", "currently", "week",
    "weekend", "sunday", "monday", "saturday", "oggi", "domani", "stasera", "domenica", "hoy", "manana", "noche",
    "domingo", "heute", "morgen", "abend", "jetzt", "sonntag", "gerade", "ete", "hiver", "printemps", "automne",
    "summer", "winter", "spring", "autumn", "estate", "inverno", "verano", "invierno", "sommer",
)
# Words of a question that name no concept in English, beyond the stop words (the stop-word list
# for English is short).
FILLER_WORDS = phrases(
    "have", "has", "had", "its", "show", "shows", "cover", "covers", "dedicated", "held", "organisation",
    "organization", "bodies", "body", "institutions", "near", "about", "like", "also", "does", "one", "ones",
    "really", "exactly", "actually", "kind", "type", "sort", "exactement", "vraiment", "genre", "truc", "chose",
    "done", "llama", "se llama", "si chiama", "heisst", "s appelle", "called", "name", "nom", "nombre", "especial",
    "special", "speciale", "besonders", "particulier", "joli", "jolis", "jolie", "jolies", "beau", "beaux", "belle",
    "belles", "chouette", "chouettes", "super", "sympa", "sympas", "agreable", "agreables", "nice", "beautiful",
    "pretty", "great", "lovely", "cool", "interesting", "bello", "belli", "bella", "belle", "carino", "carini",
    "bonito", "bonitos", "bonita", "bonitas", "schon", "schone", "schonen", "interessant", "interessante",
)
