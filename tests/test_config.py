from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import Config, load_config, parse_assignment
from kiosk.errors import ConfigError

SAMPLE = Path(__file__).resolve().parent.parent / "docs" / "kiosk.sample.toml"


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "kiosk.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_are_a_valid_demo_configuration(tmp_path: Path) -> None:
    cfg = load_config(env={}, overrides={"data_dir": str(tmp_path)})
    assert cfg.mode == "demo"
    assert cfg.devices.idcard.backend == "simulated"
    assert cfg.data_dir == tmp_path
    assert cfg.db_path == tmp_path / "queue.sqlite3"


def test_default_data_dir_is_the_per_user_data_directory() -> None:
    cfg = load_config(env={})
    assert "gov-kiosk" in str(cfg.data_dir)


def test_precedence_cli_over_env_over_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[ui]\norientation = "landscape"\ninactivity_timeout_s = 120\n'
                           '[kiosk]\ncode = "GY0001"\n')
    env = {"KIOSK_UI__INACTIVITY_TIMEOUT_S": "150", "KIOSK_KIOSK__CODE": "GY0002"}
    cfg = load_config(path, env=env, overrides={"kiosk.code": "GY0003"})
    assert cfg.ui.orientation == "landscape"  # file
    assert cfg.ui.inactivity_timeout_s == 150  # env beats file
    assert cfg.kiosk.code == "GY0003"  # CLI beats env


def test_device_options_pass_through_as_keyword_arguments(tmp_path: Path) -> None:
    path = write(tmp_path, '[devices.idcard]\nbackend = "serial"\n'
                           '[devices.idcard.options]\nport = "/dev/ttyUSB0"\nbaudrate = 115200\n')
    cfg = load_config(path, env={})
    assert cfg.devices.idcard.backend == "serial"
    assert dict(cfg.devices.idcard.options) == {"port": "/dev/ttyUSB0", "baudrate": 115200}
    with pytest.raises(TypeError):
        cfg.devices.idcard.options["port"] = "x"  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "key", "bad"),
    [
        ('[ui]\norientation = "sideways"\n', "ui.orientation", "sideways"),
        ('[ui]\ncountdown_s = 5\n', "ui.countdown_s", "5"),
        ('[ui]\ninactivity_timeout_s = "soon"\n', "ui.inactivity_timeout_s", "soon"),
        ('[kiosk]\nregion_code = "52"\n', "kiosk.region_code", "52"),
        ('[kiosk]\ncode = "bad code"\n', "kiosk.code", "bad code"),
        ('[platform]\nurl = "ftp://x"\n', "platform.url", "ftp://x"),
        ('[offline]\nmax_queued_items = 0\n', "offline.max_queued_items", "0"),
        ('[ui]\nfullscreen = "maybe"\n', "ui.fullscreen", "maybe"),
        ('[uii]\nlanguage = "en"\n', "uii", "unknown"),
        ('[ui]\nlanguag = "en"\n', "ui.languag", "unknown"),
    ],
)
def test_bad_values_name_the_key_and_the_value(tmp_path: Path, text: str, key: str,
                                               bad: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), env={})
    assert info.value.key == key
    assert key in str(info.value) and bad in str(info.value)


def test_bad_environment_value_names_the_key() -> None:
    with pytest.raises(ConfigError) as info:
        load_config(env={"KIOSK_UI__ORIENTATION": "upside-down"})
    assert info.value.key == "ui.orientation"


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[ui\n"), env={})


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", env={})


def test_run_mode_refuses_simulated_devices_unless_allowed(tmp_path: Path) -> None:
    path = write(tmp_path, "[platform]\nembedded = false\nurl = \"https://gov.example\"\n")
    with pytest.raises(ConfigError, match="simulated"):
        load_config(path, mode="run", env={})
    cfg = load_config(path, mode="run", env={},
                      overrides={"allow_simulated_devices": "true"})
    assert cfg.mode == "run"


def test_run_mode_refuses_the_embedded_platform(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, ""), mode="run", env={},
                    overrides={"allow_simulated_devices": "true"})
    assert info.value.key == "platform.embedded"


def test_sample_configuration_in_docs_is_valid() -> None:
    cfg = load_config(SAMPLE, mode="run", env={})
    assert isinstance(cfg, Config)
    assert cfg.devices.idcard.backend != "simulated"


def test_parse_assignment() -> None:
    assert parse_assignment("ui.language = en") == ("ui.language", "en")
    with pytest.raises(ConfigError):
        parse_assignment("novalue")
