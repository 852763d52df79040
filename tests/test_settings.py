"""One settings object: defaults, TOML file, environment, explicit overrides — in that order."""

import pytest

from cigale.errors import ConfigError
from cigale.settings import Fusion, Mode, Secret, Settings


def test_defaults_need_no_configuration():
    s = Settings.load(environ={})
    assert s.mode is Mode.HYBRID and s.fusion is Fusion.RRF and s.min_confidence == 0.52
    assert str(s.data_dir) == "cigale-data"


def test_environment_overrides_toml_and_explicit_values_override_both(tmp_path):
    (tmp_path / "cigale.toml").write_text('[cigale]\nrrf_k = 10\nmode = "bm25"\nchunk_words = 90\n')
    env = {"CIGALE_DATA": str(tmp_path), "CIGALE_RRF_K": "30"}
    s = Settings.load(environ=env, mode="dense")
    assert s.chunk_words == 90  # from the file
    assert s.rrf_k == 30  # the environment beats the file
    assert s.mode is Mode.DENSE  # an explicit value beats both
    assert s.data_dir == tmp_path


def test_an_explicit_config_file_must_exist(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        Settings.load(environ={"CIGALE_CONFIG": str(tmp_path / "nope.toml")})


def test_bad_values_name_the_setting_and_the_choices(tmp_path):
    with pytest.raises(ConfigError, match=r"fusion: invalid value 'average' \(one of: rrf, weighted\)"):
        Settings.load(environ={"CIGALE_FUSION": "average"})
    with pytest.raises(ConfigError, match="rrf_k"):
        Settings.load(environ={"CIGALE_RRF_K": "many"})
    with pytest.raises(ConfigError, match="Unknown setting"):
        Settings.load(environ={}).replace(colour="blue")
    (tmp_path / "cigale.toml").write_text("this is = not toml =")
    with pytest.raises(ConfigError, match="not valid TOML"):
        Settings.load(environ={"CIGALE_DATA": str(tmp_path)})


def test_secrets_never_print():
    key = Secret("sk-very-secret")
    assert "sk-very-secret" not in repr(key) and "sk-very-secret" not in str(key) and "sk" not in f"{key}"
    assert key.reveal() == "sk-very-secret"


def test_every_setting_is_documented():
    for name, _default, help in Settings.describe():
        assert help and help[0].isupper(), name
