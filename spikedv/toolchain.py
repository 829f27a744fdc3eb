"""``spikedv toolchain``: the simulators and tools found (verif/toolchain.py)."""
from __future__ import annotations


def add_arguments(p) -> None:
    p.add_argument("--check", action="store_true",
                   help="exit 1 if a tool is missing or the wrong Verilator is on PATH")


def run(args) -> int:
    from verif.toolchain import main

    return main(["--check"] if args.check else [])
