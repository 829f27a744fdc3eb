"""`spikedv`: one command for every job of the project.

The command tree is the table ``COMMANDS`` below: each leaf names the module and the two
functions that implement it (``add(parser)`` declares its arguments, ``run(args)`` does the
job and returns the exit status). Only the chosen command's module is imported, so
``spikedv rsnn infer`` never loads torch, and ``spikedv --help`` loads nothing.

Conventions every command keeps (spikedv/cli_args.py):
- the same flag means the same thing everywhere: ``--weights``, ``--out``, ``--engine``,
  ``--seed``, ``--jobs``, ``-v/--verbose``, ``-q/--quiet``, ``--debug``;
- path arguments are resolved against the caller's working directory at parse time;
- a user error (missing or corrupt file, wrong shape, unknown engine, illegal register
  value) prints one line, ``spikedv: error: <file>[:<line or byte>]: <what is wrong>``, and
  exits 2, also when it was found inside a simulation; ``--debug`` shows the traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from dataclasses import dataclass

from model.errors import InputError


@dataclass(frozen=True)
class Command:
    module: str
    add: str
    run: str
    help: str
    example: str


COMMANDS: dict[tuple[str, ...], Command] = {
    ("regress",): Command(
        "spikedv.regress", "add_arguments", "run",
        "the main job: regression of both designs, summary and reports",
        "spikedv regress --short --jobs 2"),
    ("coverage",): Command(
        "spikedv.coverage", "add_arguments", "run",
        "merge the code and functional coverage of the last runs into reports/coverage/",
        "spikedv coverage"),
    ("lint",): Command(
        "spikedv.lint", "add_arguments", "run",
        "verilator --lint-only -Wall of every top level and of the whole rtl/ tree",
        "spikedv lint"),
    ("toolchain",): Command(
        "spikedv.toolchain", "add_arguments", "run",
        "show the simulators and tools found (--check: fail if one is missing)",
        "spikedv toolchain --check"),
    ("synth",): Command(
        "spikedv.synth", "add_arguments", "run",
        "yosys synthesis check of every design module and both tops (latches, drivers, "
        "loops, gates)",
        "spikedv synth rsnn_lif axis_skid"),
    ("formal",): Command(
        "spikedv.formal", "add_arguments", "run",
        "formal proofs of the blocks (yosys + ABC PDR, or bounded), one line per proof",
        "spikedv formal --fast"),
    ("mutate",): Command(
        "spikedv.mutate", "add_arguments", "run",
        "mutation campaign: yosys mutants of RTL modules run against their tests, "
        "survivors checked for equivalence",
        "spikedv mutate rsnn_lif --sample 20 --seed 1"),
    ("report",): Command(
        "spikedv.report", "add_arguments", "run",
        "the signoff report (HTML, signoff.json) from one or more results folders",
        "spikedv report reports/results --out reports"),
    ("merge",): Command(
        "spikedv.merge", "add_arguments", "run",
        "merge the results folders of shards or jobs into one, and report on it",
        "spikedv merge shard-1 shard-2 shard-3 --reports reports/merged"),
    ("durations",): Command(
        "spikedv.jobs", "add_durations_arguments", "run_durations",
        "refresh verif/durations.json (the times that balance shards) from results folders",
        "spikedv durations reports/results"),
    ("regs",): Command(
        "regs.regtool", "add_arguments", "run",
        "check the files generated from regs/*.hjson (--write: regenerate them)",
        "spikedv regs --check"),
    ("rsnn", "infer"): Command(
        "spikedv.infer_cmd", "add_rsnn_arguments", "run_rsnn",
        "run an utterance on the rsnn model, the RTL (Icarus, Verilator) or the bare driver",
        "spikedv rsnn infer --weights weights/rsnn "
        "--features weights/rsnn/samples/synth_FDVK0_SX154.npy --engine verilator --out r.npz"),
    ("rsnn", "bench"): Command(
        "bench.rsnn_bench", "add_arguments", "run",
        "rsnn cycles, weight reads, merged spikes, MAC/s and simulation speed",
        "spikedv rsnn bench --no-sim"),
    ("rsnn", "train"): Command(
        "ml.train.rsnn.cli", "add_train_arguments", "run_train",
        "QAT training of the rsnn network (needs the train extra)",
        "spikedv rsnn train --data build/speech --out weights/rsnn"),
    ("rsnn", "report"): Command(
        "ml.train.rsnn.cli", "add_report_arguments", "run_report",
        "accuracy, PER, sparsity and cycles of trained rsnn weights (needs the train extra)",
        "spikedv rsnn report --weights weights/rsnn"),
    ("qclif", "infer"): Command(
        "spikedv.infer_cmd", "add_qclif_arguments", "run_qclif",
        "run a sample on the qclif model or the RTL (Icarus, Verilator)",
        "spikedv qclif infer --weights weights/qclif "
        "--input weights/qclif/samples/test_00_hand_clap.npy --engine verilator --out q.npz"),
    ("qclif", "bench"): Command(
        "bench.qclif_bench", "add_arguments", "run",
        "qclif cycles per bin, synaptic operations and simulation speed",
        "spikedv qclif bench --no-sim"),
    ("qclif", "train"): Command(
        "ml.train.qclif.cli", "add_train_arguments", "run_train",
        "QAT training of the qclif network (needs the train extra)",
        "spikedv qclif train --out weights/qclif"),
    ("qclif", "report"): Command(
        "ml.train.qclif.cli", "add_report_arguments", "run_report",
        "test accuracy, confusion matrix and activity of trained qclif weights",
        "spikedv qclif report --weights weights/qclif"),
    ("speech", "synth"): Command(
        "ml.speech.cli", "add_synth_arguments", "run_synth",
        "write a TIMIT-format synthetic speech corpus (festival, espeak-ng)",
        "spikedv speech synth --out build/timit_synth --n 30"),
    ("speech", "prepare"): Command(
        "ml.speech.cli", "add_prepare_arguments", "run_prepare",
        "features and labels of a TIMIT copy or the synthetic corpus",
        "spikedv speech prepare --timit build/timit_synth --out build/speech"),
    ("dvs", "synth"): Command(
        "ml.dvs.cli", "add_synth_arguments", "run_synth",
        "write a DVS128 Gesture-format synthetic event corpus",
        "spikedv dvs synth --out build/dvs --samples 22"),
    ("dvs", "prepare"): Command(
        "ml.dvs.cli", "add_prepare_arguments", "run_prepare",
        "bin a DVS128 Gesture copy (or the synthetic corpus) into input spike trains",
        "spikedv dvs prepare --dataset build/dvs --out build/dvs/prepared"),
}

GROUPS = {"rsnn": "the rsnn speech accelerator", "qclif": "the qclif network",
          "speech": "speech data", "dvs": "DVS event data"}


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line (and exits 2)."""

    def error(self, message: str):
        self.exit(2, f"spikedv: error: {message} (see `{self.prog} --help`)\n")


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("output")
    group.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                       help="more detail")
    group.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                       help="no progress, only results and errors")
    group.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help="show the traceback of an error")
    return common


def _selected(argv: list[str]) -> tuple[str, ...] | None:
    words = [a for a in argv if not a.startswith("-")][:2]
    for size in (2, 1):
        if tuple(words[:size]) in COMMANDS:
            return tuple(words[:size])
    return None


TRAIN_EXTRA = "needs the train extra: pip install -e .[train]"


def _load(cmd: Command):
    """The command's module; a missing torch is a one-line error, not a traceback."""
    try:
        return importlib.import_module(cmd.module)
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] in ("torch", "matplotlib"):
            print(f"spikedv: error: {TRAIN_EXTRA} (no module {exc.name})", file=sys.stderr)
            raise SystemExit(2) from None
        raise


def build_parser(selected: tuple[str, ...] | None = None) -> argparse.ArgumentParser:
    """The parser; only the ``selected`` command's arguments are declared (its module is
    imported), the others are listed with their help."""
    common = _common()
    parser = OneLineParser(prog="spikedv", description=__doc__.split("\n")[0],
                           parents=[common])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=OneLineParser)
    groups: dict[str, argparse._SubParsersAction] = {}
    for words, cmd in COMMANDS.items():
        if len(words) == 2 and words[0] not in groups:
            g = sub.add_parser(words[0], help=GROUPS[words[0]], parents=[common])
            groups[words[0]] = g.add_subparsers(dest="subcommand", required=True,
                                                metavar="COMMAND", parser_class=OneLineParser)
        target = groups[words[0]] if len(words) == 2 else sub
        p = target.add_parser(words[-1], help=cmd.help, description=cmd.help,
                              parents=[common], epilog=f"example:\n  {cmd.example}",
                              formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(_command=words)
        if words == selected:
            getattr(_load(cmd), cmd.add)(p)
    return parser


def format_input_error(exc: InputError) -> str:
    """``<file>[:<line or byte or field>]: <what>`` (model/errors.py's parts)."""
    where = exc.where or ""
    if where.startswith("line "):
        where = where[5:]
    head = ":".join(p for p in (exc.path, where) if p)
    return f"{head}: {exc.what}" if head else exc.what


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    selected = _selected(argv)
    try:
        args = build_parser(selected).parse_args(argv)
    except SystemExit as exc:   # --help, or a usage error already printed in one line
        return exc.code if isinstance(exc.code, int) else 2
    debug = getattr(args, "debug", False)
    cmd = COMMANDS[args._command]
    try:
        run = getattr(_load(cmd), cmd.run)
        return int(run(args) or 0)
    except SystemExit as exc:   # a command's own exit: a status, or a one-line message
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
            return 2
        return exc.code or 0
    except InputError as exc:
        if debug:
            traceback.print_exc()
        print(f"spikedv: error: {format_input_error(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:
        if debug:
            traceback.print_exc()
        name = f"{exc.filename}: " if exc.filename else ""
        print(f"spikedv: error: {name}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("spikedv: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a failure of the design or the tools, not of the input
        from spikedv.engines.bare import BareRunError
        from verif.sim import SimulationFailed

        if isinstance(exc, (SimulationFailed, BareRunError)) and not debug:
            print(f"spikedv: simulation failed: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
