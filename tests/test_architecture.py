"""Imports run one way (docs/architecture.md): a module may import only its own floor and
the floors below it; nothing imports a test module or another package's private name; no
code edits sys.path; the reference models need nothing but numpy.

The checker reads the source with ``ast`` (nothing is imported), and is itself tested on a
small tree with a deliberate backwards import.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (module prefix, floor); the longest matching prefix wins.
FLOORS = (
    ("model", 1),
    ("regs", 2),
    ("verif.sim", 3), ("verif.sources", 3), ("verif.settings", 3), ("verif.console", 3),
    ("verif.toolchain", 3),
    ("verif", 4),
    ("spikedv.engines", 5),
    ("spikedv", 6), ("bench", 6), ("ml", 6),
)
FLOOR_NAMES = {1: "reference models", 2: "register maps", 3: "simulator layer",
               4: "testbench library", 5: "engines", 6: "CLI, bench, ml, reports"}
PACKAGES = ("model", "regs", "verif", "spikedv", "bench", "ml", "tests")
# What the reference models may import besides the standard library and themselves.
MODEL_THIRD_PARTY = {"numpy"}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def is_test_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return name.startswith("tests.") or name == "tests" or last.startswith("test_") \
        or last == "conftest"


def floor_of(name: str) -> int | None:
    best = None
    for prefix, floor in FLOORS:
        if name == prefix or name.startswith(prefix + "."):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, floor)
    return None if best is None else best[1]


def _imports(tree: ast.AST, name: str, is_package: bool):
    """(line, imported module, imported names) of every import, relative ones resolved."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[:len(base) - (node.level - 1)]
                module = ".".join([*base, module] if module else base)
            yield node.lineno, module, [a.name for a in node.names]


def _edits_sys_path(tree: ast.AST) -> int | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("insert", "append", "extend") \
                and isinstance(node.value, ast.Attribute) and node.value.attr == "path" \
                and isinstance(node.value.value, ast.Name) and node.value.value.id == "sys":
            return node.lineno
    return None


def _is_module(root: Path, dotted: str) -> bool:
    path = root / Path(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def violations(root: Path, packages=PACKAGES) -> list[str]:
    """Every import against the rules, as ``file:line: what``."""
    stdlib = set(sys.stdlib_module_names)
    found: list[str] = []
    files = [p for pkg in packages for p in sorted((root / pkg).rglob("*.py"))
             if "sim_build" not in p.parts]
    files += [p for p in (root / "conftest.py",) if p.is_file()]
    for path in files:
        name = module_name(path, root)
        tree = ast.parse(path.read_text(), filename=str(path))
        where = str(path.relative_to(root))
        line = _edits_sys_path(tree)
        if line is not None:
            found.append(f"{where}:{line}: edits sys.path")
        own_floor = floor_of(name)
        testing = is_test_module(name)
        for lineno, target, names in _imports(tree, name, path.name == "__init__.py"):
            top = target.split(".")[0]
            candidates = [target] + [f"{target}.{n}" for n in names]
            if top not in PACKAGES:
                if own_floor == 1 and top not in stdlib and top not in MODEL_THIRD_PARTY:
                    found.append(f"{where}:{lineno}: the reference models import {top} "
                                 f"(numpy only)")
                continue
            if is_test_module(target) or any(is_test_module(c) for c in candidates[1:]
                                             if _is_module(root, c)):
                found.append(f"{where}:{lineno}: imports the test module {target}")
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private and target.split(".")[0] != name.split(".")[0]:
                found.append(f"{where}:{lineno}: imports private name(s) {private} of "
                             f"another package ({target})")
            if testing or own_floor is None:
                continue
            # `from pkg import module`: the module's floor, not the package's.
            submodules = [c for c in candidates[1:] if _is_module(root, c)]
            target_floor = max(floor_of(c) or 0 for c in submodules) if submodules \
                else floor_of(target)
            if target_floor is not None and target_floor > own_floor:
                found.append(
                    f"{where}:{lineno}: {name} (floor {own_floor}, "
                    f"{FLOOR_NAMES[own_floor]}) imports {target} (floor {target_floor}, "
                    f"{FLOOR_NAMES[target_floor]})")
    return found


def test_imports_follow_the_floors():
    found = violations(ROOT)
    assert not found, "imports against docs/architecture.md:\n" + "\n".join(found)


def test_every_package_module_has_a_floor():
    """A new top-level package must be placed on a floor here and in the docs."""
    for pkg in PACKAGES:
        if pkg != "tests":
            assert floor_of(pkg) is not None, pkg
    for child in sorted(ROOT.iterdir()):
        if (child / "__init__.py").is_file():
            assert child.name in PACKAGES, f"package {child.name}/ has no floor"


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_checker_finds_a_backwards_import(tmp_path):
    root = _tree(tmp_path, {
        "model/__init__.py": "", "model/rsnn.py": "import numpy\n",
        "model/bad.py": "from spikedv.engines import rsnn\n",
        "verif/__init__.py": "", "verif/sim.py": "from model import rsnn\n",
        "verif/common/__init__.py": "",
        "verif/common/tb.py": "from verif.rsnn.test_rsnn_accel import SOURCES\n",
        "verif/rsnn/__init__.py": "", "verif/rsnn/test_rsnn_accel.py": "SOURCES = ()\n",
        "spikedv/__init__.py": "", "spikedv/engines/__init__.py": "",
        "spikedv/engines/rsnn.py": "from verif.sim import _private\nimport sys\n"
                                   "sys.path.insert(0, '.')\n",
        "spikedv/cli.py": "from spikedv.engines import rsnn\nimport bench.x\n",
        "bench/__init__.py": "", "bench/x.py": "import scipy\n",
    })
    found = violations(root, packages=("model", "verif", "spikedv", "bench"))
    text = "\n".join(found)
    assert "model/bad.py:1: model.bad (floor 1, reference models) imports spikedv.engines" in text
    assert "verif/common/tb.py:1: imports the test module verif.rsnn.test_rsnn_accel" in text
    assert "spikedv/engines/rsnn.py:1: imports private name(s) ['_private']" in text
    assert "spikedv/engines/rsnn.py:3: edits sys.path" in text
    assert len(found) == 4, text   # floor 6 importing floor 6 and 5, bench scipy: allowed
