"""The test corpora, hand-written for the tests (not taken from any dataset):

- `CORPUS`: a small, varied, geotagged JSONL corpus about the territory, for most tests;
- `DOCS`: partner-shaped records ("Label : value" lines, one document per festival, museum, lab
  or station, one per commune for its lycées), for the answer tests.
"""

import json

from cigale.documents import Document

# Hand-written for the tests (not taken from any dataset): short, varied, geotagged.
CORPUS = [
    {"id": "fest-piano", "title": "Festival international de piano (La Roque-d'Anthéron)",
     "text": "Le Festival international de piano se tient chaque été dans le parc du château de Florans. "
             "Il a été créé en 1980.\nDiscipline dominante : Musique classique\nPériode : juillet et août",
     "source": "Test partner: Provence Tourisme", "url": "https://example.org/piano", "lang": "fr",
     "insee": ["13084"], "category": "culture/festival"},
    {"id": "fest-jazz-vitrolles", "title": "Charlie Jazz Festival (Vitrolles)",
     "text": "Le Charlie Jazz Festival réunit des musiciens de jazz au domaine de Fontblanche à Vitrolles. "
             "Il a lieu début juillet.\nDiscipline dominante : Musique\nMusique : Jazz, blues",
     "source": "Test partner: Ville de Vitrolles", "lang": "fr", "places": ["13117"], "theme": "culture/festival",
     "start": "2026-07-03", "end": "2026-07-05"},
    {"id": "fest-jazz-marseille", "title": "Marseille Jazz des cinq continents",
     "text": "Marseille Jazz des cinq continents est un festival de jazz organisé chaque juillet à Marseille, "
             "au palais Longchamp et dans plusieurs lieux de la ville.\nMusique : Jazz",
     "source": "Test partner: Office de tourisme de Marseille", "lang": "fr", "places": ["13203"],
     "theme": "culture/festival", "start": "2026-07-15", "end": "2026-07-25"},
    {"id": "musee-ziem", "title": "Musée Ziem (Martigues)",
     "text": "Le musée Ziem de Martigues présente des collections d'archéologie, d'ethnologie et de beaux-arts. "
             "On y voit le fonds d'atelier du peintre Félix Ziem et des œuvres des fauves provençaux.",
     "source": "Test partner: Ville de Martigues", "lang": "fr", "places": ["13056"], "theme": "culture/musée"},
    {"id": "gare-miramas", "title": "Gare de Miramas",
     "text": "La gare de Miramas est desservie par la ligne de Paris-Lyon à Marseille-Saint-Charles, "
             "la ligne d'Avignon à Miramas et la ligne de Miramas à L'Estaque.",
     "source": "Test partner: SNCF", "lang": "fr", "places": ["13063"], "theme": "mobilité/gare"},
    {"id": "labo-cerege", "title": "CEREGE (Aix-en-Provence)",
     "text": "Le CEREGE est un laboratoire de recherche en géosciences de l'environnement installé à "
             "l'Arbois, à Aix-en-Provence. Il étudie le climat, l'eau et les sols.",
     "source": "Test partner: Aix-Marseille Université", "lang": "fr", "places": ["13001"],
     "theme": "recherche/laboratoire"},
    {"id": "plage-sausset", "title": "Plages de Sausset-les-Pins",
     "text": "Sausset-les-Pins offre plusieurs criques et la plage de l'Arène, appréciée des familles. "
             "La baignade y est surveillée en été.",
     "source": "Test partner: Office de tourisme de Sausset-les-Pins", "lang": "fr", "places": ["13104"],
     "theme": "tourisme/plage"},
    {"id": "guide-en-cassis", "title": "Cassis travel guide",
     "text": "Cassis is a fishing port east of Marseille, known for its white wine and for boat trips "
             "to the Calanques. The old harbour is lined with cafés.",
     "source": "Test partner: Wikivoyage", "lang": "en", "places": ["13022"], "theme": "tourisme"},
    {"id": "aubagne-santons", "title": "Santons d'Aubagne",
     "text": "Aubagne est la ville des santonniers : chaque décembre, la foire aux santons réunit les "
             "artisans argiliers sur le cours Foch.",
     "source": "Test partner: Office de tourisme du Pays d'Aubagne et de l'Étoile", "lang": "fr",
     "places": ["13005"], "theme": "culture/artisanat"},
    {"id": "no-place-note", "title": "Conseils de prudence",
     "text": "En été, pensez à vous protéger du soleil et à boire de l'eau régulièrement.",
     "source": "Test partner: Métropole", "lang": "fr", "theme": "pratique"},
]


def write_jsonl(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


CULTURE = "Test partner: Ministère de la Culture (festivals-test), via github example/festivals@0000:festivals.csv"


def festival(id, name, insee, commune, lines):
    text = f"{name} — festival à {commune} (Bouches-du-Rhône).\n" + "\n".join(lines)
    return Document(id, f"{name} ({commune})", text, source=CULTURE, lang="fr", places=(insee,),
                    theme="culture/festival")


DOCS = [
    festival("fest-ranquet", "Jazz au Ranquet", "13047", "Istres", [
        "Discipline dominante : Musique", "Musique : Jazz",
        "Période principale de déroulement : Saison (21 juin - 5 septembre)", "Année de création : 2016",
        "Site internet : www.jazzauranquet.fr"]),
    festival("fest-piano", "Festival international de piano", "13084", "La Roque-d'Anthéron", [
        "Discipline dominante : Musique", "Musique : Musique classique, piano",
        "Période principale de déroulement : Saison (21 juin - 5 septembre)", "Année de création : 1980",
        "Décennie de création : De 1980 à 1989"]),
    festival("fest-jazz-aix", "Jazz des Cinq Places", "13001", "Aix-en-Provence", [
        "Discipline dominante : Musique", "Musique : Jazz, blues", "Année de création : 2004"]),
    festival("fest-jazz-aubagne", "Jazz au Garlaban", "13005", "Aubagne", [
        "Discipline dominante : Musique", "Musique : Jazz", "Année de création : 2011"]),
    festival("fest-cinema-aubagne", "Rencontres du court métrage", "13005", "Aubagne", [
        "Discipline dominante : Cinéma, audiovisuel", "Cinéma et audiovisuel : Court métrage",
        "Année de création : 1999"]),
    festival("fest-jazz-marseille", "Marseille Jazz des cinq continents", "13055", "Marseille", [
        "Discipline dominante : Musique", "Musique : Jazz", "Année de création : 2000"]),
    festival("fest-jazz-salon", "Salon Jazz Club", "13103", "Salon-de-Provence", [
        "Discipline dominante : Musique", "Musique : Jazz, swing", "Année de création : 2008"]),
    festival("fest-theatre-martigues", "Scènes de Martigues", "13056", "Martigues", [
        "Discipline dominante : Spectacle vivant", "Spectacle vivant : Théâtre", "Année de création : 1995"]),
    Document("musee-cantini", "musée Cantini (Marseille)",
             "musée Cantini — musée de France à Marseille (Bouches-du-Rhône).\n"
             "Adresse : 19 rue Grignan, 13006 Marseille.\n"
             "Domaines thématiques : Art moderne et contemporain\n"
             "Atouts : Une collection d'art moderne de la période 1900-1960 : fauvisme, cubisme, surréalisme.",
             source="Muséofile — musées de France (Ministère de la Culture), via github example/museo@0000:m.csv",
             lang="fr", places=("13055",), theme="culture/musée"),
    Document("musee-ziem", "musée Ziem (Martigues)",
             "musée Ziem — musée de France à Martigues (Bouches-du-Rhône).\n"
             "Domaines thématiques : Archéologie, Beaux-arts, Ethnologie\n"
             "Atouts : Le fonds d'atelier du peintre Félix Ziem.",
             source="Muséofile — musées de France (Ministère de la Culture), via github example/museo@0000:m.csv",
             lang="fr", places=("13056",), theme="culture/musée"),
    Document("musee-salins", "musée des Salins (Martigues)",
             "musée des Salins — musée de France à Martigues (Bouches-du-Rhône).\n"
             "Domaines thématiques : Histoire, Technique et industrie\n"
             "Atouts : L'histoire du sel et des salins de l'étang de Berre.",
             source="Muséofile — musées de France (Ministère de la Culture), via github example/museo@0000:m.csv",
             lang="fr", places=("13056",), theme="culture/musée"),
    Document("freq-ziem", "musée Ziem (Martigues) — fréquentation",
             "musée Ziem — fréquentation annuelle (musée de France) à Martigues.\n"
             "Fréquentation 2016 : total 13120, payant 5200, gratuit 7920\n"
             "Fréquentation 2017 : total 14348, payant 6011, gratuit 8337",
             source="Fréquentation des musées de France (Ministère de la Culture, frequentation-test)",
             lang="fr", places=("13056",), theme="culture/musée-fréquentation"),
    Document("labo-fresnel", "Institut Fresnel (Marseille)",
             "Institut Fresnel — structure de recherche (Unité mixte) à Marseille.\n"
             "Année de création : 2000\n"
             "Tutelles : Ecole Centrale de Marseille (établissement tutelle); Centre national de la recherche "
             "scientifique (établissement tutelle); Université Aix-Marseille (établissement tutelle)\n"
             "Domaine scientifique : Physique, optique et photonique\n"
             "Adresse : avenue Escadrille Normandie-Niémen",
             source="Structures de recherche — Répertoire national des structures de recherche (RNSR, MESR, rnsr-test)",
             lang="fr", places=("13055",), theme="économie/recherche"),
    Document("lycees-martigues", "Lycées de Martigues (IPS 2021-2022)",
             "Lycées de Martigues (Bouches-du-Rhône) — indice de position sociale (IPS), rentrée 2021-2022.\n"
             "Nombre de lycées : 3\n"
             "LYCEE POLYVALENT PAUL LANGEVIN (MARTIGUES) : public, type LPO, IPS ensemble 105.1\n"
             "LYCEE GENERAL JEAN LURCAT (MARTIGUES) : public, type LEGT, IPS ensemble 112.4\n"
             "LYCEE PROFESSIONNEL BRISE LAMES (MARTIGUES) : privé sous contrat, type LP, IPS ensemble 91.0",
             source="Indices de position sociale dans les lycées (MENJ-DEPP, ips-test)", lang="fr",
             places=("13056",), theme="éducation/lycées"),
    Document("gare-salon", "Salon-de-Provence (gare, Salon-de-Provence)",
             "Salon-de-Provence — gare de voyageurs à Salon-de-Provence (Bouches-du-Rhône).\n"
             "Code UIC : 87753764\n"
             "Service voyageurs : oui\n"
             "Ligne(s) du réseau ferré national : 930000 — Ligne de Paris à Marseille par Salon",
             source="Liste des gares (SNCF Réseau, gares-test)", lang="fr", places=("13103",),
             theme="mobilité/gare"),
    Document("histoire-marseille", "musée d'histoire de Marseille",
             "musée d'histoire de Marseille — musée de France à Marseille (Bouches-du-Rhône).\n"
             "Histoire : Pierre Puget, enfant du quartier, dessina la place voisine.\n"
             "Domaines thématiques : Archéologie, Histoire",
             source="Muséofile — musées de France (Ministère de la Culture), via github example/museo@0000:m.csv",
             lang="fr", places=("13055",), theme="culture/musée"),
    Document("card-aubagne", "Aubagne", "Aubagne est une commune du Pays d'Aubagne et de l'Étoile.\n"
             "Population municipale : 47 208 habitants", source="Métropole — territory pack", lang="fr",
             places=("13005",), extra={"synthetic": True}),
    Document("card-ciotat", "La Ciotat", "La Ciotat est une commune du territoire Marseille-Provence.\n"
             "Population municipale : 35 993 habitants", source="Métropole — territory pack", lang="fr",
             places=("13028",), extra={"synthetic": True}),
    Document("guide-ciotat", "La Ciotat travel guide",
             "La Ciotat is a seaside town east of Marseille, where the Lumière brothers filmed one of the first "
             "films; its Eden cinema is among the oldest in the world.", source="Wikivoyage", lang="en",
             url="https://en.wikivoyage.org/wiki/La_Ciotat", places=("13028",), theme="tourisme/guide"),
]
