"""The typed parameter tree: the shipped config loads; bad values fail with one line naming the field."""

import dataclasses
import re

import pytest
from omegaconf import OmegaConf

from helpers import REPO, evolve, params
from slsim.experiments.config import load_params
from slsim.experiments.settings import SlsimConfig
from slsim.simulation.params import ARRANGEMENTS, ConfigError
from slsim.simulation.run import run_simulation

CONFIGS = REPO / "configs"


def config_error(*overrides) -> str:
    with pytest.raises(ConfigError) as info:
        load_params(list(overrides))
    message = str(info.value)
    assert "\n" not in message and "\r" not in message, f"message is not one line: {message!r}"
    assert message.strip(), "empty message"
    return message


# ---------------------------------------------------------------------------
# the shipped configuration
# ---------------------------------------------------------------------------
def test_default_config_loads(default_params):
    p = default_params
    assert isinstance(p, SlsimConfig)
    assert isinstance(p.run.years, int) and isinstance(p.run.seed, int) and isinstance(p.run.warmup_weeks, int)
    assert p.weeks == 52 * p.run.years
    assert isinstance(p.scheme.scheme_workers, int) and p.scheme.scheme_workers >= 1
    assert len(p.social_work.teams) >= 1
    assert len({t.name for t in p.social_work.teams}) == len(p.social_work.teams)
    assert all(isinstance(t.sl_by_default, bool) for t in p.social_work.teams)
    for mix in (p.carers.capacity_mix, p.carers.complexity_mix, p.referrals.arrangement_mix, p.referrals.needs_mix):
        shares = mix.shares()
        assert all(s >= 0 for s in shares) and sum(shares) == pytest.approx(1.0)
    for kind in ARRANGEMENTS:  # whole weeks, as the schema requires
        assert p.referrals.introduction_weeks.get(kind) == int(p.referrals.introduction_weeks.get(kind))


def test_overrides_reach_the_params():
    p = params("scheme.scheme_workers=5", "run.seed=0", "social_work.teams.1.crisis_share=0.25")
    assert p.scheme.scheme_workers == 5
    assert p.run.seed == 0
    assert p.social_work.teams[1].crisis_share == 0.25


def _group_options():
    defaults = OmegaConf.load(CONFIGS / "config.yaml").get("defaults", [])
    in_defaults = {next(iter(d)).replace("optional ", "") for d in defaults if OmegaConf.is_dict(d)}
    out = []
    # configs/base/ holds files loaded by path (base/levers@levers), not options of a group;
    # configs/targets/ (the published targets) and configs/abc/ (the calibration specs) are data read
    # by slsim-validate and slsim-calibrate, and configs/nation/ (national populations) by
    # slsim-nation, not run configs
    data = ("base", "targets", "abc", "nation")
    for group in sorted(p for p in CONFIGS.iterdir() if p.is_dir() and p.name not in data):
        for option in sorted(group.glob("*.yaml")):
            prefix = "" if group.name in in_defaults else "+"
            out.append(f"{prefix}{group.name}={option.stem}")
    return out


@pytest.mark.parametrize("override", _group_options())
def test_every_config_group_option_composes_validates_and_runs_tiny(override):
    # 3 years: the shock presets start in year 3 (an event past the horizon is refused)
    p = load_params([override, "run.years=3", "run.warmup_weeks=0"])
    assert isinstance(p, SlsimConfig)
    result = run_simulation(p)
    assert len(result.timeseries) == 3 * 52 + 1


# ---------------------------------------------------------------------------
# out of range: ConfigError naming the dotted field
# ---------------------------------------------------------------------------
TEAM0 = r"social_work\.teams(\[0\]|\.0)"  # either spelling of list index 0


@pytest.mark.parametrize(
    "overrides, field",
    [
        (["scheme.scheme_workers=-1"], r"scheme\.scheme_workers"),
        (["scheme.scheme_workers=0"], r"scheme\.scheme_workers"),
        (["carers.spare_room=1.5"], r"carers\.spare_room"),
        (["social_work.teams.0.crisis_share=2"], TEAM0 + r"\.crisis_share"),
        (["carers.complexity_mix.band1=-1"], r"carers\.complexity_mix\.band1"),
        (["run.seed=-1"], r"run\.seed"),
        (["run.years=0"], r"run\.years"),
        (["run.warmup_weeks=-1"], r"run\.warmup_weeks"),
        (["workload.matching_weeks=0"], r"workload\.matching_weeks"),
        (["referrals.introduction_weeks.live_in=2.5"], r"referrals\.introduction_weeks\.live_in"),
        (["carers.age_mean=10"], r"carers\.age_mean"),
        (["social_work.trust_prior=1.0"], r"social_work\.trust_prior"),  # open interval
        (["economics.inflation_per_year=2"], r"economics\.inflation_per_year"),
        (["social_work.teams.2.social_workers=0"], r"social_work\.teams(\[2\]|\.2)\.social_workers"),
        (
            ["carers.capacity_mix.one=0", "carers.capacity_mix.two=0", "carers.capacity_mix.three=0"],
            r"carers\.capacity_mix",
        ),
    ],
)
def test_out_of_range_raises_config_error_naming_the_field(overrides, field):
    message = config_error(*overrides)
    assert re.match(field + r"\b", message), f"{message!r} does not start with the field {field}"


def test_range_error_shows_the_value_and_what_is_allowed():
    message = config_error("carers.spare_room=1.5")
    assert "1.5" in message and "allowed" in message
    message = config_error("scheme.scheme_workers=-1")
    assert "=-1" in message and "integer" in message


def test_a_valid_edge_value_is_accepted():
    assert params("carers.complexity_mix.band1=0").carers.complexity_mix.band1 == 0
    assert params("run.seed=0").run.seed == 0
    assert params("social_work.teams.0.crisis_share=1").social_work.teams[0].crisis_share == 1.0


# ---------------------------------------------------------------------------
# wrong types and unknown keys fail at composition
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "override, field",
    [
        ("run.years=ten", r"run\.years"),
        ("run.years=1.5", r"run\.years"),
        ("scheme.scheme_workers=2.5", r"scheme\.scheme_workers"),
        ("run.seed=true", r"run\.seed"),
        ("social_work.teams.0.sl_by_default=maybe", TEAM0 + r"\.sl_by_default"),
    ],
)
def test_wrong_type_raises_config_error_naming_the_field(override, field):
    message = config_error(override)
    assert re.match(field + r"\b", message), message


@pytest.mark.parametrize(
    "override, field, key",
    [
        ("scheme.bogus=1", r"scheme\.bogus", "bogus"),
        ("+scheme.extra=3", r"scheme\.extra", "extra"),
        ("+social_work.teams.0.extra=1", TEAM0 + r"\.extra", "extra"),
        ("+nonsense=1", r"nonsense", "nonsense"),
    ],
)
def test_unknown_key_raises_config_error_listing_allowed_keys(override, field, key):
    message = config_error(override)
    assert re.match(field + r"\b", message), message
    assert key in message
    if override.startswith(("scheme", "+scheme")):
        assert "scheme_workers" in message, "the allowed keys are listed"


def test_unknown_group_option_names_the_group():
    message = config_error("scheme=nope")
    assert "scheme" in message and "nope" in message


def test_duplicate_team_names_are_refused(default_params):
    first = default_params.social_work.teams[0].name
    message = config_error(f"social_work.teams.1.name={first}")
    assert re.match(r"social_work\.teams(\[1\]|\.1)\.name", message), message
    assert first in message and "unique" in message


def test_no_teams_is_refused():
    assert config_error("social_work.teams=[]").startswith("social_work.teams")


# ---------------------------------------------------------------------------
# immutability and dataclasses.replace
# ---------------------------------------------------------------------------
def test_params_are_immutable(default_params):
    p = default_params
    before = (p.scheme.scheme_workers, p.social_work.teams[0].crisis_share, p.carers.capacity_mix.one)
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.run = p.run
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.scheme.scheme_workers = 99
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.social_work.teams[0].crisis_share = 0.9
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.carers.capacity_mix.one = 1.0
    assert (p.scheme.scheme_workers, p.social_work.teams[0].crisis_share, p.carers.capacity_mix.one) == before


def test_replace_revalidates_and_names_the_full_path(default_params):
    p = default_params
    with pytest.raises(ConfigError, match=r"^scheme\.scheme_workers=-1\b"):
        dataclasses.replace(p, scheme=dataclasses.replace(p.scheme, scheme_workers=-1))
    with pytest.raises(ConfigError, match=r"^social_work\.teams\[0\]\.crisis_share"):
        evolve(p, {"social_work.teams.0.crisis_share": 2.0})
    with pytest.raises(ConfigError, match=r"^carers\.capacity_mix\.two"):
        evolve(p, {"carers.capacity_mix.two": -0.5})


def test_replace_with_valid_values_leaves_the_original_alone(default_params):
    p = default_params
    q = evolve(p, {"scheme.scheme_workers": p.scheme.scheme_workers + 1, "run.seed": 7})
    assert q.scheme.scheme_workers == p.scheme.scheme_workers + 1 and q.run.seed == 7
    assert q.carers is p.carers  # untouched groups are shared, which is safe only because they are immutable
    assert p == load_params()  # a fresh composition: the original is unchanged


def test_team_list_cannot_be_mutated():
    p = load_params()  # a private copy: this test would otherwise corrupt the cached defaults
    with pytest.raises((TypeError, AttributeError)):
        p.social_work.teams.append(p.social_work.teams[0])


def test_fields_cannot_be_deleted():
    p = load_params()
    with pytest.raises(dataclasses.FrozenInstanceError):
        del p.scheme.name


def test_only_the_root_validates_and_names_the_full_path(default_params):
    # by design (simulation/params/__init__.py docstring): a group built on its own is checked
    # when it goes back into a root, so the error can name the field's dotted path
    bad_scheme = dataclasses.replace(default_params.scheme, scheme_workers=-1)
    with pytest.raises(ConfigError, match=r"^scheme\.scheme_workers=-1: "):
        dataclasses.replace(default_params, scheme=bad_scheme)
