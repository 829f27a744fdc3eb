"""`spikedv`: the project's command line. Thin: it parses arguments and calls model/ and verif/."""
from __future__ import annotations

import argparse
import sys


def _cmd_regress(args) -> int:
    from verif.regress import main

    return main(extra_args=args.pytest_args, long=not args.short, jobs=args.jobs,
                coverage=not args.no_coverage)


def _cmd_coverage(args) -> int:
    from verif.coverage import main

    return main()


def _cmd_toolchain(args) -> int:
    from verif.toolchain import main

    return main(["--check"] if args.check else [])


def _cmd_rsnn_infer(args) -> int:
    from verif.rsnn.infer import run_cli

    return run_cli(args)


def _cmd_qclif_infer(args) -> int:
    from verif.qclif.infer import run_cli

    return run_cli(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spikedv", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("regress", help="the main job: full regression of both designs, summary and report")
    p.add_argument("--short", action="store_true", help="skip tests marked long")
    p.add_argument("-j", "--jobs", default="auto", help="pytest-xdist workers (default auto; 1 = serial)")
    p.add_argument("--no-coverage", action="store_true", help="skip Verilator code coverage")
    p.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    p.set_defaults(func=_cmd_regress)

    p = sub.add_parser("coverage", help="merge the coverage of the last runs into reports/coverage/")
    p.set_defaults(func=_cmd_coverage)

    p = sub.add_parser("rsnn", help="rsnn accelerator: infer")
    rsnn = p.add_subparsers(dest="rsnn_command", required=True)
    p = rsnn.add_parser("infer", help="run an utterance through the model or an RTL simulator")
    from verif.rsnn.infer import build_parser as rsnn_infer_parser

    rsnn_infer_parser(p)
    p.set_defaults(func=_cmd_rsnn_infer)

    p = sub.add_parser("qclif", help="qclif network: infer")
    qclif = p.add_subparsers(dest="qclif_command", required=True)
    p = qclif.add_parser("infer", help="run a sample through the model or an RTL simulator")
    from verif.qclif.infer import build_parser as qclif_infer_parser

    qclif_infer_parser(p)
    p.set_defaults(func=_cmd_qclif_infer)

    p = sub.add_parser("toolchain", help="show (and --check) the simulators found")
    p.add_argument("--check", action="store_true")
    p.set_defaults(func=_cmd_toolchain)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
