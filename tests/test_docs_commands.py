"""Every shell command in README.md and docs/*.md runs as written, or is marked
illustrative with a reason.

Commands live in ```sh blocks. A block right after a line
``<!-- illustrative: <reason> -->`` is exempt (say why: it is the main job itself, it
needs a TIMIT copy, it trains for half an hour, ...). Every other command must be listed
in ``RUN`` below, and is run exactly as written, with bash, in a fresh copy of the working
tree (tests/conftest.py: no build folders; ``spikedv`` is that copy's) from its root;
those marked long run with ``--long``. A command in the docs missing from ``RUN``, an entry
of ``RUN`` that no doc holds, a code block without a language whose lines look like
commands, or an illustrative mark without a reason: each fails a test here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL_LANGS = ("sh", "bash", "shell")
COMMAND_START = re.compile(r"^\s*(spikedv|python3?|make|pip|bash|\./|\.ci/|verilator|iverilog|yosys)\b")
ILLUSTRATIVE = re.compile(r"<!--\s*illustrative:\s*(.*?)\s*-->")


@dataclass(frozen=True)
class Run:
    long: bool = False      # only with --long
    timeout_s: int = 900


# command, exactly as written in the docs -> how it runs
RUN: dict[str, Run] = {
    # README.md
    "python -m pytest verif/common/test_sram_sp.py": Run(),
    "python -m pytest 'verif/rsnn/test_rsnn_lif.py::test_rsnn_lif[verilator]' --seed 1234 --waves": Run(),
    "python -m pytest --coverage --sim verilator verif/rsnn/test_rsnn_lif.py && spikedv coverage": Run(),
    "spikedv rsnn infer --weights weights/rsnn --features weights/rsnn/samples/synth_FDVK0_SX154.npy --engine verilator --out r.npz": Run(),
    "spikedv qclif infer --weights weights/qclif --input weights/qclif/samples/test_00_hand_clap.npy --engine icarus --out q.npz": Run(),
    "spikedv lint --tree-only": Run(),
    "spikedv toolchain --check": Run(),
    "spikedv rsnn bench --no-sim --random 50": Run(),
    # docs/synthesis.md
    "spikedv synth rsnn_lif qclif_neuron": Run(),
    "python -m pytest tests/test_synth.py": Run(),
    # docs/data.md
    "spikedv speech synth --out build/timit_synth --n 30 --overwrite && spikedv speech prepare --timit build/timit_synth --out build/speech": Run(),
    "spikedv dvs synth --out build/dvs --samples 22 && spikedv dvs prepare --dataset build/dvs --out build/dvs/prepared": Run(),
    # docs/formal.md (two small proofs: seconds of CPU)
    "python -m spikedv.assertions": Run(),
    "spikedv formal --list": Run(),
    "spikedv formal strobe_merge axil_regs --out build/formal.json": Run(),
    # docs/mutation.md (the campaign: four cold Verilator builds, a few minutes on 2 cores)
    "spikedv mutate rsnn_lif --list --sample 5 --seed 1": Run(),
    "spikedv mutate qclif_threshold --sample 3 --seed 1 --jobs 2 --out build/mutate/threshold.json": Run(long=True),
    "python -m pytest tests/test_mutate.py": Run(),
    # docs/regressions.md (no simulator: a model test file in two shards, merged)
    "spikedv regress --short --seed 1 --shard 1/2 --results build/shard-1 -- tests/model/test_qclif_schedule.py && spikedv regress --short --seed 1 --shard 2/2 --results build/shard-2 -- tests/model/test_qclif_schedule.py && spikedv merge build/shard-1 build/shard-2 --reports build/merged": Run(),
}


@dataclass(frozen=True)
class DocCommand:
    doc: str
    line: int
    text: str
    illustrative: str | None    # the reason, if marked


def _blocks(path: Path):
    """(language, first line number, body, the text before the fence) of each block."""
    text = path.read_text()
    for m in re.finditer(r"^```(\w*)[^\n]*\n(.*?)^```", text, re.S | re.M):
        line = text.count("\n", 0, m.start()) + 1
        before = text[:m.start()].rstrip().splitlines()[-1:] or [""]
        yield m.group(1), line, m.group(2), before[0]


def _commands(body: str):
    """Logical lines of a shell block: continuations joined, comments dropped."""
    out, current, start = [], "", 0
    for i, raw in enumerate(body.splitlines()):
        line = raw.rstrip()
        if not current:
            start = i
        if line.endswith("\\"):
            current += line[:-1].strip() + " "
            continue
        current += line.strip()
        command = re.sub(r"\s+#.*$", "", current).strip() if not current.startswith("#") else ""
        if command:
            out.append((start, command))
        current = ""
    return out


def doc_commands() -> list[DocCommand]:
    found = []
    for path in DOCS:
        for lang, line, body, before in _blocks(path):
            if lang not in SHELL_LANGS:
                continue
            mark = ILLUSTRATIVE.search(before)
            for offset, command in _commands(body):
                found.append(DocCommand(str(path.relative_to(ROOT)), line + 1 + offset,
                                        command, mark.group(1) if mark else None))
    return found


def test_every_documented_command_is_run_or_marked():
    commands = doc_commands()
    assert commands, "no shell commands found in the docs"
    missing = [f"{c.doc}:{c.line}: {c.text}" for c in commands
               if c.illustrative is None and c.text not in RUN]
    assert not missing, ("commands in the docs that no test runs (add them to RUN in "
                         "tests/test_docs_commands.py, or mark the block illustrative):\n"
                         + "\n".join(missing))


def test_every_run_entry_is_in_the_docs():
    documented = {c.text for c in doc_commands() if c.illustrative is None}
    stale = sorted(set(RUN) - documented)
    assert not stale, "RUN entries that no doc shows any more:\n" + "\n".join(stale)


def test_illustrative_marks_give_a_reason():
    for path in DOCS:
        for m in ILLUSTRATIVE.finditer(path.read_text()):
            assert len(m.group(1)) >= 10, f"{path.name}: illustrative mark without a reason"


def test_command_like_blocks_have_a_language():
    bad = []
    for path in DOCS:
        for lang, line, body, _ in _blocks(path):
            if not lang and any(COMMAND_START.match(x) for x in body.splitlines()):
                bad.append(f"{path.relative_to(ROOT)}:{line}")
    assert not bad, ("code blocks with commands but no language (write ```sh, or ```text "
                     "for output and usage synopses):\n" + "\n".join(bad))


def test_parser_reads_continuations_and_marks(tmp_path):
    doc = tmp_path / "d.md"
    doc.write_text("x\n```sh\nspikedv a \\\n   --b c   # note\n# only a comment\n```\n"
                   "<!-- illustrative: needs a TIMIT copy -->\n```sh\nspikedv t\n```\n")
    blocks = list(_blocks(doc))
    assert [_commands(b) for _, _, b, _ in blocks] == [[(0, "spikedv a --b c")],
                                                      [(0, "spikedv t")]]
    assert ILLUSTRATIVE.search(blocks[1][3]).group(1) == "needs a TIMIT copy"


@pytest.mark.parametrize("command", sorted(RUN))
def test_documented_command_runs(command, fresh_clone, request):
    how = RUN[command]
    if how.long and not request.config.getoption("--long"):
        pytest.skip("long documented command: run with --long")
    proc = fresh_clone.run(command, timeout=how.timeout_s)
    assert proc.returncode == 0, (f"`{command}` exited {proc.returncode} in a fresh copy "
                                  f"({fresh_clone.root})\nstdout (end):\n{proc.stdout[-3000:]}"
                                  f"\nstderr (end):\n{proc.stderr[-3000:]}")
