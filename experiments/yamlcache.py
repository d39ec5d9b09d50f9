"""Parse each config file's YAML once a process, not once a composition.

Hydra reads and parses every YAML file a composition uses, each time it composes
(``OmegaConf.load``), and PyYAML's parser is pure Python: about a fifth of a
composition's time. A command composes many times: the pre-check composes every
group choice of a sweep, Hydra composes the run once more and every job of a
sweep again, and the tests compose hundreds of configs. :func:`install` wraps
``OmegaConf.load`` so that a text parsed before is not parsed again:

- the key is the file's whole text, so an edited file is parsed anew (nothing
  stale), and a file is still opened and read each time;
- what is kept is PyYAML's plain result (dicts, lists, scalars); each load
  builds its config from a deep copy of it exactly as ``OmegaConf.load`` does,
  so no two configs share a node;
- a text that does not parse is not kept: it fails with PyYAML's own error,
  naming the file, every time.

``slsim.experiments.config`` installs it on import (the CLI, Hydra's launcher
workers and the tests all import that module); tests/test_yamlcache.py checks
that compositions are the same, node for node, with and without it.
"""

import copy
import io
import os
import pathlib

import yaml
from omegaconf import OmegaConf

_parsed: dict = {}  # YAML text -> PyYAML's result for it (never handed out: copies are)
_own_load = OmegaConf.load  # omegaconf's, kept for uninstall()


def _load(file_):
    """``OmegaConf.load``, with the parse of a text seen before reused (module doc)."""
    from omegaconf._utils import get_yaml_loader

    if isinstance(file_, (str, pathlib.Path)):
        with io.open(os.path.abspath(file_), "r", encoding="utf-8") as f:
            text, name = f.read(), f.name
    elif getattr(file_, "read", None):
        text, name = file_.read(), getattr(file_, "name", "<file>")
    else:
        return _own_load(file_)  # its own error for what it cannot read
    if text not in _parsed:
        stream = io.StringIO(text)
        stream.name = name  # PyYAML names the file in its errors
        _parsed[text] = yaml.load(stream, Loader=get_yaml_loader())
    obj = _parsed[text]
    if obj is not None and not isinstance(obj, (list, dict, str)):
        raise IOError(f"Invalid loaded object type: {type(obj).__name__}")  # as OmegaConf.load
    return OmegaConf.create() if obj is None else OmegaConf.create(copy.deepcopy(obj))


def install() -> None:
    """Wrap ``OmegaConf.load`` (idempotent)."""
    OmegaConf.load = staticmethod(_load)


def uninstall() -> None:
    """Put omegaconf's own ``OmegaConf.load`` back and forget what was parsed (tests)."""
    OmegaConf.load = staticmethod(_own_load)
    _parsed.clear()
