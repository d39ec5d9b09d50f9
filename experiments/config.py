"""Compose configs and turn them into the typed parameter tree.

``load_params`` is the way to get parameters from Python (tests, notebooks,
scripts) without the CLI: it uses Hydra's compose API on ``configs/``.
``params_from_cfg`` converts a composed DictConfig (what ``@hydra.main``
receives) into :class:`slsim.simulation.params.SlsimConfig`, checking ranges.
Every failure becomes a :class:`ConfigError` with a one-line message that
names the field and what is allowed.
"""

import functools
import hashlib
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import Iterable

from omegaconf import DictConfig, ListConfig, OmegaConf, open_dict

from slsim.experiments import yamlcache
from slsim.experiments.settings import SlsimConfig, register_schema
from slsim.simulation.params import ConfigError

yamlcache.install()  # each config file's YAML parsed once a process (experiments/yamlcache.py)

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"

# configs/hydra/launcher/*.yaml share their names with the plugins' schemas on purpose
# (our documented defaults, still validated by the schema); Hydra warns about the pairing
# wherever it composes, launcher workers included (they import this module via the CLI)
warnings.filterwarnings("ignore", message="(?s).*is validated against ConfigStore schema with the same name")
CONFIG_NAME = "config"


def params_from_cfg(cfg: DictConfig) -> SlsimConfig:
    """Typed, range-checked parameters from a composed config."""
    plain = without_hydra(cfg)
    _reject_unknown_keys(plain, SlsimConfig, "")
    try:
        params = OmegaConf.to_object(plain)
    except ConfigError:
        raise
    except Exception as exc:  # OmegaConf validation / missing values
        raise ConfigError(one_line(exc)) from exc
    if not isinstance(params, SlsimConfig):
        raise ConfigError(f"config root is {type(params).__name__}, expected the slsim schema")
    return params


def modern_overrides(args: Iterable[str]) -> list:
    """``+experiment=NAME`` (the older spelling, from when the group was not in the defaults list)
    as ``experiment=NAME``; everything else as given."""
    return [f"experiment={a[len('+experiment=') :]}" if a.startswith("+experiment=") else a for a in args]


_COMPOSED_KEPT = 256  # compositions without Hydra's node kept a process (count; a few MB)
_composed: "OrderedDict[tuple, DictConfig]" = OrderedDict()


def compose_cfg(overrides: Iterable[str] = (), *, hydra_node: bool = False) -> DictConfig:
    """Compose ``configs/config.yaml`` with command-line style overrides (group choices that
    exist, switches that are ``true`` or ``false``: checked first).

    A composition without Hydra's node is kept for the process and handed out as a copy
    when the same overrides come again while no file under ``configs/`` has changed (their
    texts are in the key): a sweep's pre-check composes each job's group choices, and a
    re-run checks each job's stored runs with the same compositions. With Hydra's node
    (dated folders, ``${now:...}``) it is composed every time."""
    overrides = modern_overrides(overrides)
    _check_override_text(overrides)
    if hydra_node:
        return _compose(overrides, hydra_node=True)
    key = (tuple(overrides), str(CONFIG_DIR), _configs_stamp())
    if key in _composed:
        _composed.move_to_end(key)
    else:
        _composed[key] = _compose(overrides, hydra_node=False)
        while len(_composed) > _COMPOSED_KEPT:
            _composed.popitem(last=False)
    return _composed[key].copy()  # never the kept one: a caller may change its copy


def _configs_stamp() -> str:
    """A digest of every YAML file under ``configs/``, its path and its text (a few ms)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(CONFIG_DIR.rglob("*.yaml")):
        digest.update(str(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _compose(overrides: list, *, hydra_node: bool) -> DictConfig:
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register_schema()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            return compose(config_name=CONFIG_NAME, overrides=list(overrides), return_hydra_config=hydra_node)
    except ConfigError:
        raise
    except Exception as exc:
        raise ConfigError(one_line(exc)) from exc
    finally:
        GlobalHydra.instance().clear()


def check_group_choices(parsed: list) -> None:
    """Every config-group choice names an option of its group (an ``optional`` group, like
    ``scenario``, would otherwise drop a name it cannot find and run without it)."""
    for ov in parsed:
        group = ov.key_or_group
        if ov.is_delete() or "." in group:
            continue
        options = group_options(group)
        if options is None:
            continue  # not a group: a config key
        for choice in _choices(ov):
            if choice is not None and str(choice) not in options:
                raise ConfigError(f"{group}={choice}: allowed {', '.join(options)} (options of the group {group})")


def _choices(ov) -> list:
    """The option names a group override chooses (each of a sweep, each of a list)."""
    if ov.is_sweep_override():
        if not ov.is_discrete_sweep():
            return [ov.get_value_element_as_str()]  # a range or interval of a group: not a name
        values = list(ov.sweep_iterator())
    else:
        values = [ov.value()]
    out = []
    for value in values:
        out += list(value) if isinstance(value, (list, tuple)) else [value]
    return out


def check_value_types(parsed: list) -> None:
    """Switches take ``true`` or ``false`` only (OmegaConf would read 2, 1, "yes" or "on" as true)."""
    for ov in parsed:
        if ov.is_delete() or "/" in ov.key_or_group or ov.key_or_group.startswith("hydra"):
            continue
        if ov.is_sweep_override():
            values = list(ov.sweep_iterator()) if ov.is_discrete_sweep() else []
        else:
            values = [ov.value()]
        for value in values:
            check_booleans(ov.key_or_group, value)


@functools.lru_cache(maxsize=None)
def group_options(group: str):
    """The options of config group ``group`` (``configs/`` and the plugins' ``hydra/...``
    groups), or None if there is no such group."""
    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    register_schema()
    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            loader = GlobalHydra.instance().config_loader()
            if not loader.repository.group_exists(group):
                return None
            return tuple(loader.get_group_options(group))
    finally:
        GlobalHydra.instance().clear()


def check_booleans(key: str, value) -> None:
    """``value`` given for config key ``key``: every switch in it (a ``bool`` of the schema) is
    ``true`` or ``false``. Walks mappings and lists given for nodes (``levers.colocation={...}``)."""
    _check_booleans(key, _schema_type(key), value)


def _schema_type(key: str):
    """The schema type at dotted ``key`` (list items by index), or None if it is not in the schema."""
    import dataclasses
    import typing

    node = SlsimConfig
    for part in key.split("."):
        origin = typing.get_origin(node)
        if dataclasses.is_dataclass(node):
            hints = typing.get_type_hints(node)
            if part not in hints:
                return None
            node = hints[part]
        elif origin in (list, tuple) and part.isdigit():
            node = typing.get_args(node)[0]
        elif origin is dict:
            node = typing.get_args(node)[1]
            if node is typing.Any and key.startswith("shocks.events."):  # an open mapping of events
                from slsim.simulation.shocks import ShockEvent

                node = ShockEvent
        else:
            return None
    return node


def _check_booleans(where: str, node, value) -> None:
    import dataclasses
    import typing

    if node is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}={value!r}: allowed true or false")
    elif dataclasses.is_dataclass(node) and isinstance(value, dict):
        hints = typing.get_type_hints(node)
        for key, item in value.items():
            if key in hints:
                _check_booleans(f"{where}.{key}", hints[key], item)
    elif typing.get_origin(node) in (list, tuple) and isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_booleans(f"{where}.{i}", typing.get_args(node)[0], item)


def _check_override_text(overrides: list) -> None:
    """Group choices and switches of command-line style overrides (before composing)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except Exception:
        return  # composing says what is wrong
    check_group_choices(parsed)
    check_value_types(parsed)


def load_params(overrides: Iterable[str] = ()) -> SlsimConfig:
    """Typed parameters of the default config with overrides applied."""
    return params_from_cfg(compose_cfg(overrides))


def resolved_yaml(cfg: DictConfig) -> str:
    """The resolved config (without Hydra's own node) as YAML text. Without ``calibration=posterior``
    the ``calibration`` node is left out too: a run's config is then the text it was before the
    group existed (runs done before are still recognised), and reads back as ``calibration=none``."""
    plain = without_hydra(cfg)
    if OmegaConf.select(plain, "calibration.method", default="none") == "none" and "calibration" in plain:
        plain = plain.copy() if plain is cfg else plain
        with open_dict(plain):
            del plain["calibration"]
    return OmegaConf.to_yaml(plain, resolve=True)


def without_hydra(cfg: DictConfig) -> DictConfig:
    if "hydra" not in cfg:
        return cfg
    plain = cfg.copy()
    with open_dict(plain):
        del plain["hydra"]
    return plain


def one_line(exc: BaseException) -> str:
    """A one-line description of a composition or validation error."""
    from omegaconf.errors import OmegaConfBaseException

    if isinstance(exc, OmegaConfBaseException):
        key = getattr(exc, "full_key", None)
        msg = (getattr(exc, "msg", None) or str(exc)).strip().splitlines()[0]
        if key:
            allowed = _allowed_keys(str(key)) if "not in" in msg or "Key '" in msg else ""
            return f"{key}: {msg}{allowed}"
        return msg
    cause = exc.__cause__ or exc.__context__
    if cause is not None and isinstance(cause, OmegaConfBaseException):
        return one_line(cause)
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    text = " ".join(lines) if lines else type(exc).__name__
    text = text.split(" Config search path:")[0]
    return text if len(text) <= 400 else text[:397] + "..."


def _reject_unknown_keys(node, schema, path: str) -> None:
    """Keys added with ``+key=value`` bypass the schema's closed key set; refuse them."""
    import dataclasses

    if not dataclasses.is_dataclass(schema) or not isinstance(node, DictConfig):
        return
    hints = {f.name: f.type for f in dataclasses.fields(schema)}
    for key, child in node.items_ex(resolve=False):  # the child nodes as written (no interpolation resolved)
        where = f"{path}.{key}" if path else str(key)
        if key not in hints:
            raise ConfigError(f"{where}: unknown key (allowed keys: {', '.join(hints)})")
        sub = hints[key]
        args = getattr(sub, "__args__", None)
        if args and isinstance(child, ListConfig):
            for i, item in enumerate(child):
                _reject_unknown_keys(item, args[0], f"{where}[{i}]")
        else:
            _reject_unknown_keys(child, sub, where)


def _allowed_keys(full_key: str) -> str:
    """' (allowed: a, b, c)' for the parent node of ``full_key``, if it is a schema node."""
    import dataclasses

    node = SlsimConfig
    parts = full_key.split(".")[:-1]
    for part in parts:
        part = part.split("[")[0]
        hints = {f.name: f.type for f in dataclasses.fields(node)}
        if part not in hints:
            return ""
        node = hints[part]
        args = getattr(node, "__args__", None)
        if args:
            node = args[0]
        if not dataclasses.is_dataclass(node):
            return ""
    names = [f.name for f in dataclasses.fields(node)]
    return f" (allowed keys: {', '.join(names)})"
