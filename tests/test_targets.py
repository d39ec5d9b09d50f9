"""The targets files (configs/targets/) and their checks (experiments/targets.py): each bad input is one
line naming the field and what is allowed."""

import copy
import re

import pytest
import yaml

from slsim.experiments.targets import DEFAULT_TARGETS, EVIDENCE, OUT_OF_SAMPLE, SCOPES, load_out_of_sample, load_targets
from slsim.simulation.measures import MEASURE_NAMES
from slsim.simulation.params import ConfigError

SHIPPED = yaml.safe_load(DEFAULT_TARGETS.read_text())


def test_the_shipped_targets_load_with_sources_and_bands():
    targets = load_targets()
    assert targets.version == 1 and len(targets) >= 20
    for t in targets:
        assert t.measure in MEASURE_NAMES and t.scope in SCOPES and t.evidence in EVIDENCE
        assert t.lo <= t.value <= t.hi and t.lo < t.hi
        assert len(t.source) > 30 and len(t.note) > 20
        if t.evidence != "assumption":  # a published or derived figure names its publisher and year (or says undated)
            assert re.search(r"Shared Lives Plus|LGA|Alex Fox", t.source)
            assert re.search(r"\b(19|20)\d\d\b|undated", t.source), t.name
        else:
            assert t.source.startswith("No published")  # says so rather than inventing a citation
    names = set(targets.names)
    required = {"people_per_staff", "idle_carer_share", "carer_exits_per_carer_year", "approval_weeks_median"}
    required |= {"share_live_in", "need_share_learning_disability", "foster_transitions_per_year"}
    required |= {"scheme_worker_turnover_per_year", "people_change_3y", "carers_change_3y", "pandemic_change_live_in"}
    assert required <= names
    assert targets["pandemic_change_day_support"].overrides == ("shocks=pandemic",)
    assert targets["people_per_scheme"].contains(67.8) and not targets["people_per_scheme"].contains(float("nan"))


def test_named_schemes_are_validation_only_and_refused_by_load_targets():
    data = load_out_of_sample()
    assert data["validation_only"] is True and data["histories"]
    with pytest.raises(ConfigError, match=r"validation_only: true \(out of sample\)"):
        load_targets(OUT_OF_SAMPLE)


def write(tmp_path, data, name="t.yaml"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def bad(tmp_path, edit):
    """The shipped file with ``edit(data)`` applied, loaded: the ConfigError's message."""
    data = copy.deepcopy(SHIPPED)
    edit(data)
    with pytest.raises(ConfigError) as info:
        load_targets(write(tmp_path, data))
    message = str(info.value)
    assert "\n" not in message
    return message


def entry(data, name="people_per_staff"):
    return data["targets"][name]


CASES = [
    (lambda d: entry(d).pop("source"), r"targets\.people_per_staff\.source: missing \(required keys: value, interval"),
    (lambda d: entry(d).update(weight=2), r"targets\.people_per_staff\.weight: unknown key \(allowed keys: value,"),
    (lambda d: entry(d).update(scope="scheme"), r"\.scope='scheme': allowed national, sector$"),
    (lambda d: entry(d).update(evidence="hearsay"), r"\.evidence='hearsay': allowed published, derived, assumption$"),
    (
        lambda d: entry(d).update(measure="people_per_carer"),
        r"\.measure='people_per_carer': allowed people_per_scheme,",
    ),
    (lambda d: entry(d).update(value="ten"), r"\.value='ten': allowed a number$"),
    (lambda d: entry(d).update(value=float("nan")), r"\.value=nan: allowed a finite number$"),
    (lambda d: entry(d).update(value=True), r"\.value=True: allowed a number$"),
    (lambda d: entry(d).update(interval=[8.0]), r"\.interval=\[8\.0\]: allowed \[lo, hi\], two numbers$"),
    (lambda d: entry(d).update(interval=[10.0, 13.0]), r"\.interval=\[10, 13\]: allowed lo <= value \(9\.9\) <= hi$"),
    (lambda d: entry(d).update(interval=[8, "x"]), r"\.interval='x': allowed a number$"),
    (lambda d: entry(d).update(year=2025.5), r"\.year=2025\.5: allowed an integer$"),
    (lambda d: entry(d).update(year=1850), r"\.year=1850: allowed 1990 <= x <= 2100$"),
    (lambda d: entry(d).update(unit=""), r"\.unit='': allowed a non-empty text$"),
    (lambda d: entry(d).update(overrides="shocks=pandemic"), r"\.overrides='shocks=pandemic': allowed a list of key=v"),
    (lambda d: d["targets"].update({"bad name": entry(d)}), r"target name 'bad name': allowed a name of letters"),
    (lambda d: d["targets"].update(x=[1, 2]), r"targets\.x: a mapping with keys value, interval"),
    (lambda d: d.update(version=2), r": version=2: allowed 1$"),
    (lambda d: d.pop("description"), r": description: missing \(required keys: version, description, targets\)$"),
    (lambda d: d.update(tolerance=0.1), r": tolerance: unknown key \(allowed keys: version, description, targets\)$"),
    (lambda d: d.update(targets={}), r": targets: allowed a non-empty mapping of target name to entry$"),
]


@pytest.mark.parametrize("edit,message", CASES, ids=[m[:40] for _, m in CASES])
def test_each_bad_input_is_one_line_naming_the_field_and_the_allowed_values(tmp_path, edit, message):
    assert re.search(message, bad(tmp_path, edit)), bad(tmp_path, edit)


def test_bad_files(tmp_path):
    with pytest.raises(ConfigError, match=r"key 'people_per_staff' given twice"):
        text = DEFAULT_TARGETS.read_text()
        block = text[text.index("  people_per_staff:") : text.index("  carers_per_person:")]
        load_targets(write(tmp_path, text + block.replace("  people_per_staff:", "  people_per_staff:", 1)))
    with pytest.raises(ConfigError, match=r"line 2 not valid YAML"):
        load_targets(write(tmp_path, "version: 1\n  description: [\n"))
    with pytest.raises(ConfigError, match=r"a mapping with keys version, description, targets expected"):
        load_targets(write(tmp_path, "- 1\n"))
    with pytest.raises(ConfigError, match=r"targets file .*missing\.yaml: cannot read"):
        load_targets(tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match=r"validation_only: missing or not true"):
        load_out_of_sample(write(tmp_path, {"histories": {"a": {"source": "x"}}}))
