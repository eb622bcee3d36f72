import os

import pytest

from src.model_utils.config import ConfigError, get_config, load_yaml, parse_bool
from tests.conftest import ROOT, run_script


def test_defaults_and_overrides():
    cfg = get_config(["--batch_size", "32", "--bidirectional", "False", "--learning_rate=0.5"])
    assert cfg.batch_size == 32 and cfg.bidirectional is False and cfg.learning_rate == 0.5
    assert cfg.num_epochs == load_yaml(os.path.join(ROOT, "default_config.yaml"))[0]["num_epochs"]


@pytest.mark.parametrize("text,value", [("true", True), ("True", True), ("TRUE", True), ("1", True),
                                        ("yes", True), ("false", False), ("False", False),
                                        ("0", False), ("no", False)])
def test_bool_spellings(text, value):
    assert parse_bool(text) is value
    assert get_config(["--preprocess", text]).preprocess is value


@pytest.mark.parametrize("args,message", [
    (["--no_such_key", "1"], "unknown option '--no_such_key'"),
    (["--batch_size", "abc"], "--batch_size expects a value of type int, got 'abc'"),
    (["--batch_size", "0"], "--batch_size must be a positive integer, got 0"),
    (["--num_epochs", "-1"], "--num_epochs must be a positive integer, got -1"),
    (["--num_hiddens", "0"], "--num_hiddens must be a positive integer, got 0"),
    (["--device_target", "TPU"], "--device_target must be one of ['CPU', 'GPU', 'Ascend'], got 'TPU'"),
    (["--preprocess", "maybe"], "--preprocess expects true or false, got 'maybe'"),
    (["--dropout", "1.5"], "--dropout must be in [0, 1), got 1.5"),
])
def test_bad_values_name_the_key(args, message):
    with pytest.raises(ConfigError) as e:
        get_config(args)
    assert message in str(e.value)


def test_yaml_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n")
    with pytest.raises(ConfigError, match="is not valid YAML at line"):
        get_config(["--config_path", str(bad)])
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("batch_size: 8\nnot_a_key: 1\n---\n{}\n---\n{}\n")
    with pytest.raises(ConfigError, match="unknown key 'not_a_key'"):
        get_config(["--config_path", str(unknown)])
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("batch_size: eight\n")
    with pytest.raises(ConfigError, match="--batch_size expects a value of type int, got 'eight'"):
        get_config(["--config_path", str(wrong)])
    with pytest.raises(ConfigError, match="does not exist"):
        get_config(["--config_path", str(tmp_path / "none.yaml")])


def test_other_config_files_load():
    for name in ("config_ascend.yaml", "config_ascend_8p.yaml", "config_seed_reference.yaml"):
        cfg = get_config(["--config_path", os.path.join(ROOT, name)])
        assert cfg.config_path.endswith(name)
    assert get_config(["--config_path", os.path.join(ROOT, "config_ascend_8p.yaml")]).device_num == 8


def test_every_key_has_help():
    values, helps, _ = load_yaml(os.path.join(ROOT, "default_config.yaml"))
    assert set(values) == set(helps)


def test_help_lists_keys_help_and_choices():
    out = run_script("train.py", ["--help"])
    assert out.returncode == 0
    assert "--num_hiddens" in out.stdout and "LSTM hidden size per direction" in out.stdout
    assert "choices: CPU, GPU, Ascend" in out.stdout


def test_print_config_and_cli_error():
    out = run_script("train.py", ["--print_config", "--batch_size", "7"])
    assert out.returncode == 0 and "batch_size: 7" in out.stdout
    bad = run_script("train.py", ["--batch_size", "-3"])
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith("error: --batch_size must be a positive integer")
    assert "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
