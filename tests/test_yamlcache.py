"""experiments/yamlcache.py: a YAML text is parsed once a process; nothing else changes."""

import pytest
from omegaconf import OmegaConf

from slsim.experiments import yamlcache
from slsim.experiments.config import compose_cfg

CASES = [
    [],
    ["levers=all"],
    ["experiment=levers", "run.years=3"],
    ["scheme_type=voluntary_sector", "shocks=pandemic"],
    ["calibration=posterior"],
]


@pytest.fixture
def without_cache():
    yamlcache.uninstall()
    yield
    yamlcache.install()


@pytest.mark.parametrize("overrides", CASES, ids=str)
def test_a_composition_is_the_same_with_and_without_the_cache(overrides, without_cache):
    plain = compose_cfg(overrides, hydra_node=True)
    yamlcache.install()
    first, second = compose_cfg(overrides, hydra_node=True), compose_cfg(overrides, hydra_node=True)
    yamlcache.uninstall()
    for cached in (first, second):
        assert OmegaConf.to_yaml(cached, resolve=False) == OmegaConf.to_yaml(plain, resolve=False)  # hydra node too
        assert OmegaConf.get_type(cached) is OmegaConf.get_type(plain)  # the schema is attached alike


def test_a_text_is_parsed_once_and_loads_never_share_nodes(tmp_path, without_cache, monkeypatch):
    import yaml

    yamlcache.install()
    calls = []
    real = yaml.load
    monkeypatch.setattr(yaml, "load", lambda *a, **k: calls.append(1) or real(*a, **k))
    path = tmp_path / "a.yaml"
    path.write_text("a:\n  b: [1, 2]\n  c: ${a.b}\n")
    one, two = OmegaConf.load(path), OmegaConf.load(str(path))
    assert len(calls) == 1
    one.a.b.append(3)  # a change to one load is not seen by the other, nor by the next
    assert two.a.b == [1, 2] and OmegaConf.load(path).a.b == [1, 2]
    path.write_text("a:\n  b: [5]\n")  # an edited file is parsed anew
    assert OmegaConf.load(path).a.b == [5] and len(calls) == 2
    with path.open() as f:  # a stream, as Hydra passes it
        assert OmegaConf.load(f).a.b == [5] and len(calls) == 2


def test_a_text_that_does_not_parse_fails_as_before_and_is_not_kept(tmp_path, without_cache):
    import yaml

    path = tmp_path / "bad.yaml"
    path.write_text("a: [1, 2\n")
    with pytest.raises(yaml.YAMLError) as own:
        OmegaConf.load(path)
    yamlcache.install()
    for _ in range(2):
        with pytest.raises(yaml.YAMLError) as cached:
            OmegaConf.load(path)
        assert str(cached.value) == str(own.value)  # the file named as before
    assert "a: [1, 2\n" not in yamlcache._parsed
    path.write_text("a: [1, 2]\n")  # mended: loads
    assert OmegaConf.load(path).a == [1, 2]


# ---------------------------------------------------------------------------
# compositions kept a process (experiments/config.py: compose_cfg)
# ---------------------------------------------------------------------------
def test_a_kept_composition_is_handed_out_as_a_copy_equal_to_a_fresh_one(monkeypatch):
    from slsim.experiments import config

    first = compose_cfg(["levers=all"])
    again = compose_cfg(["levers=all"])
    assert again is not first
    monkeypatch.setattr(config, "_composed", type(config._composed)())  # nothing kept: composed afresh
    fresh = compose_cfg(["levers=all"])
    for cfg in (first, again):
        assert OmegaConf.to_yaml(cfg) == OmegaConf.to_yaml(fresh)
        assert OmegaConf.get_type(cfg) is OmegaConf.get_type(fresh)
    again.run.seed = 12345  # a caller's change stays in its copy
    assert compose_cfg(["levers=all"]).run.seed == first.run.seed != 12345


def test_an_edited_config_file_is_composed_anew(tmp_path, monkeypatch):
    import shutil

    from slsim.experiments import config

    configs = tmp_path / "configs"
    shutil.copytree(config.CONFIG_DIR, configs)
    monkeypatch.setattr(config, "CONFIG_DIR", configs)
    before = compose_cfg(["run.years=2"]).run.warmup_weeks
    run_yaml = configs / "config.yaml"  # run.warmup_weeks is set there
    text = run_yaml.read_text()
    run_yaml.write_text(text.replace(f"warmup_weeks: {before}", f"warmup_weeks: {before + 1}", 1))
    assert compose_cfg(["run.years=2"]).run.warmup_weeks == before + 1
    run_yaml.write_text(text)
    assert compose_cfg(["run.years=2"]).run.warmup_weeks == before


def test_compositions_with_hydras_node_are_not_kept():
    from slsim.experiments import config

    kept = len(config._composed)
    compose_cfg(["run.years=4"], hydra_node=True)
    assert len(config._composed) == kept
