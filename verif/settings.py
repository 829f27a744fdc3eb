"""Settings that travel from the Python side (pytest, an engine) into a cocotb run.

A cocotb test runs in the simulator's process, so it cannot take arguments. The one way
in is a typed settings object: the caller passes a dataclass instance to
``verif.sim.run(settings=...)``, which writes it, with the run's own context (simulator,
seed, long regression or not), to ``settings.json`` in the run folder and points
``SPIKEDV_SETTINGS`` at that file; the cocotb side reads it back with ``load(cls)``.
Every field is checked against the dataclass's annotation, so a misspelt or missing
setting fails at once with its name, instead of a silent default.

    @dataclass
    class AccelSettings:
        scenario: str = "medium"
        weights_dir: Path | None = None

    run(..., settings=AccelSettings(scenario="dense"))      # pytest side
    s = load(AccelSettings)                                  # cocotb side
    context().simulator                                      # "icarus" | "verilator"

An input error found inside a run (a corrupt weight file, say) is written by
``record_input_error`` to ``input_error.json`` in the run folder; ``verif.sim.run``
raises it again on the caller's side as the same ``model.errors.InputError``.
"""
from __future__ import annotations

import dataclasses
import json
import os
import typing
from dataclasses import dataclass
from pathlib import Path

from model.errors import InputError

SETTINGS_ENV = "SPIKEDV_SETTINGS"
SETTINGS_FILE = "settings.json"
INPUT_ERROR_FILE = "input_error.json"


@dataclass(frozen=True)
class RunContext:
    """What every run knows about itself."""

    simulator: str = "unknown"
    seed: int = 0
    long: bool = False       # the long regression (pytest --long)
    run_dir: str = ""


def _encode(value):
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    return value


def write(run_dir: Path, context: RunContext, settings=None) -> Path:
    """Write ``settings.json`` into ``run_dir``; returns its path."""
    if settings is not None and not dataclasses.is_dataclass(settings):
        raise TypeError(f"settings must be a dataclass instance, not {type(settings).__name__}")
    payload = {"context": dataclasses.asdict(context),
               "type": None if settings is None else type(settings).__qualname__,
               "settings": {} if settings is None else
               {f.name: _encode(getattr(settings, f.name)) for f in dataclasses.fields(settings)}}
    path = Path(run_dir) / SETTINGS_FILE
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def _payload() -> dict:
    path = os.environ.get(SETTINGS_ENV)
    if not path:
        return {"context": {}, "type": None, "settings": {}}
    return json.loads(Path(path).read_text())


def context() -> RunContext:
    """This run's context (simulator, seed, long); defaults outside a run."""
    return RunContext(**_payload()["context"])


def _convert(name: str, annotation, value):
    """Check ``value`` (from JSON) against a field's annotation; Path fields from str."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", ())):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in (a for a in args if a is not type(None)):
            try:
                return _convert(name, arg, value)
            except TypeError as exc:
                errors.append(str(exc))
        raise TypeError(errors[0])
    if annotation is Path:
        if not isinstance(value, str):
            raise TypeError(f"setting {name}: expected a path, got {value!r}")
        return Path(value)
    if origin in (tuple, list):
        if not isinstance(value, list):
            raise TypeError(f"setting {name}: expected a list, got {value!r}")
        item = args[0] if args else typing.Any
        items = [_convert(name, item, v) for v in value]
        return tuple(items) if origin is tuple else items
    if annotation is typing.Any:
        return value
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(annotation, type):
        if annotation is int and isinstance(value, bool) or not isinstance(value, annotation):
            raise TypeError(f"setting {name}: expected {annotation.__name__}, got {value!r}")
    return value


def load(cls):
    """The settings of this run as an instance of dataclass ``cls`` (defaults where the
    caller passed none)."""
    payload = _payload()
    given = payload["settings"]
    if payload["type"] not in (None, cls.__qualname__):
        raise TypeError(f"run settings are {payload['type']}, the test expects {cls.__qualname__}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(given) - names)
    if unknown:
        raise TypeError(f"{cls.__qualname__}: unknown settings {unknown}")
    values = {k: _convert(k, hints[k], v) for k, v in given.items()}
    return cls(**values)


def record_input_error(exc: InputError) -> None:
    """Inside a run: keep ``exc`` for the caller (see the module docstring)."""
    run_dir = context().run_dir
    if run_dir:
        (Path(run_dir) / INPUT_ERROR_FILE).write_text(json.dumps(
            {"path": exc.path, "where": exc.where, "what": exc.what}))


def recorded_input_error(run_dir: Path) -> InputError | None:
    """The input error a run recorded, if any."""
    path = Path(run_dir) / INPUT_ERROR_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    return InputError(data["path"], data["what"], where=data["where"])
