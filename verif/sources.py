"""Source lists of HDL top levels, read from the ``.f`` file beside each module.

Every module under ``rtl/`` (and each testbench harness under ``verif/*/hdl/``) has a
``<module>.f`` next to its ``.v``: one source file per line, paths relative to the ``.f``
file, ``//`` comments allowed, and ``+incdir+DIR`` lines for the folders of `include
files (the generated register maps). The file is self-contained and flat, so a tool can read it
directly (``verilator -F rtl/rsnn/rsnn_accel.f``); the simulator layer, the lint test, the
synthesis check and the bare Verilator build all read it here. tests/test_lint.py lints each
module from its ``.f`` alone, so a list that misses a file, or holds one too many, fails.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from model.errors import InputError, at_line

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RTL_ROOT = PROJECT_ROOT / "rtl"
HDL_ROOTS = (RTL_ROOT, PROJECT_ROOT / "verif")


def read_filelist(path: Path, incdirs: list[Path] | None = None) -> list[Path]:
    """Absolute paths listed in one ``.f`` file, in order; InputError names a missing one.
    ``+incdir+`` folders are appended to ``incdirs`` when given."""
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise InputError(path, "file list not found") from None
    out: list[Path] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("//", 1)[0].strip()
        if not entry:
            continue
        if entry.startswith("+incdir+"):
            folder = (path.parent / entry[len("+incdir+"):]).resolve()
            if not folder.is_dir():
                raise InputError(path, f"include folder {entry} not found", at_line(number))
            if incdirs is not None:
                incdirs.append(folder)
            continue
        if entry.startswith(("-", "+")):
            raise InputError(path, f"option {entry!r} in a file list (sources and "
                             "+incdir+ only)", at_line(number))
        source = (path.parent / entry).resolve()
        if not source.is_file():
            raise InputError(path, f"source {entry} not found", at_line(number))
        out.append(source)
    return out


@lru_cache(maxsize=None)
def _filelists() -> dict[str, Path]:
    lists: dict[str, Path] = {}
    for root in HDL_ROOTS:
        for f in sorted(root.rglob("*.f")):
            if "sim_build" in f.parts:
                continue
            lists.setdefault(f.stem, f)
    return lists


def filelist_of(top: str) -> Path:
    """The ``.f`` file of module ``top``."""
    try:
        return _filelists()[top]
    except KeyError:
        raise InputError(None, f"no file list {top}.f under rtl/ or verif/*/hdl/",
                         where=f"module {top}") from None


# A mutation campaign (spikedv/mutate.py) runs a module's tests on a mutant of it:
# ``SPIKEDV_SOURCE_OVERRIDE="module=/path/mutant.v[,module=/path/other.v]"`` replaces, in
# every source list, the file that defines ``module`` by the given file (the build hash of
# verif/sim.py covers each source's path and content, so a mutant gets its own build).
SOURCE_OVERRIDE_ENV = "SPIKEDV_SOURCE_OVERRIDE"


def source_overrides() -> dict[str, Path]:
    """{module: replacement file} from ``$SPIKEDV_SOURCE_OVERRIDE`` (empty when unset)."""
    out: dict[str, Path] = {}
    for item in os.environ.get(SOURCE_OVERRIDE_ENV, "").split(","):
        if not item.strip():
            continue
        module, sep, path = item.partition("=")
        if not sep or not module.strip() or not path.strip():
            raise InputError(None, f"{SOURCE_OVERRIDE_ENV}: {item!r} is not module=/path/file.v")
        file = Path(path.strip()).resolve()
        if not file.is_file():
            raise InputError(file, f"source override of module {module.strip()} not found")
        out[module.strip()] = file
    return out


def sources(top: str) -> list[Path]:
    """Every source file module ``top`` needs, from its ``.f`` file (with the overrides of
    ``$SPIKEDV_SOURCE_OVERRIDE`` applied)."""
    files = read_filelist(filelist_of(top))
    overrides = source_overrides()
    if not overrides:
        return files
    out: list[Path] = []
    for f in files:
        defined = _MODULE.findall(_strip_comments(f.read_text(errors="replace")))
        replaced = [overrides[m] for m in defined if m in overrides]
        out.append(replaced[0] if replaced else f)
    return out


def include_dirs(files) -> list[Path]:
    """Folders searched for `include files: those of the sources themselves."""
    return sorted({Path(f).parent for f in files})


def all_modules() -> list[str]:
    """Names of every module that has a file list (design and testbench HDL)."""
    return sorted(_filelists())


# ---- assertion checkers (docs/formal.md) -------------------------------------------
# SystemVerilog checkers live beside the RTL in rtl/<design>/sva/: a checker module
# <checker> in <checker>.sv, and one bind file <module>_bind.sv per watched module,
# holding `bind <module> <checker> ...` statements only. Verilator builds add, for every
# module defined in a build's sources, its bind file and the checkers it instantiates;
# Icarus and the synthesizable source lists never see them.
_BIND = re.compile(r"^\s*bind\s+(\w+)\s+(\w+)", re.M)
_MODULE = re.compile(r"^\s*module\s+(\w+)", re.M)


def _strip_comments(text: str) -> str:
    return re.sub(r"//[^\n]*|/\*.*?\*/", " ", text, flags=re.S)


def sva_files() -> list[Path]:
    """Every checker and bind file under rtl/*/sva/."""
    return sorted(f for d in RTL_ROOT.glob("*/sva") for f in d.glob("*.sv"))


def _bind_index() -> tuple[dict[str, list[Path]], dict[str, Path]]:
    """{watched module: its bind files}, {checker module: its file}."""
    binds: dict[str, list[Path]] = {}
    checkers: dict[str, Path] = {}
    for f in sva_files():
        text = _strip_comments(f.read_text())
        targets = {target for target, _ in _BIND.findall(text)}
        for target in targets:
            binds.setdefault(target, []).append(f)
        for name in _MODULE.findall(text):
            checkers[name] = f
    return binds, checkers


def assertion_sources(files) -> list[Path]:
    """The checker and bind files (rtl/*/sva/) for the modules defined in ``files``:
    checkers first, then the bind files, each once; empty when none is watched.
    Modules are found by name, so a copy of a module elsewhere (a mutant in a temporary
    folder) gets its checkers too."""
    binds, checkers = _bind_index()
    defined: list[str] = []
    for f in files:
        defined += _MODULE.findall(_strip_comments(Path(f).read_text(errors="replace")))
    bind_files: list[Path] = []
    for module in defined:
        for b in binds.get(module, []):
            if b not in bind_files:
                bind_files.append(b)
    needed: list[Path] = []
    for b in bind_files:
        for _, checker in _BIND.findall(_strip_comments(b.read_text())):
            path = checkers.get(checker)
            if path is None:
                raise InputError(b, f"bind of checker {checker!r}, which no rtl/*/sva/*.sv defines")
            if path not in needed:
                needed.append(path)
    return needed + bind_files
