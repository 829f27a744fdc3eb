"""Without the train extra: every command still declares its arguments (``--help``), no
command imports torch before it runs, a training command fails in one line, and the
torch tests skip with the reason the README names. Runs without torch."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ml.train import TRAIN_EXTRA
from spikedv.cli import COMMANDS

REPO = Path(__file__).resolve().parents[2]
MINE = [words for words, cmd in COMMANDS.items() if cmd.module.startswith("ml.")]
# torch hidden as if not installed: its import raises ModuleNotFoundError (a None in
# sys.modules would also stop it, but trips libraries that look for torch arrays there)
NO_TORCH = ("import sys, importlib.abc\n"
            "class NoTorch(importlib.abc.MetaPathFinder):\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] == 'torch':\n"
            "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
            "sys.meta_path.insert(0, NoTorch())\n")


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("words", MINE, ids=" ".join)
def test_help_without_torch_shows_the_example(words):
    r = _python(NO_TORCH + "from spikedv.cli import main; main(%r)" % [*words, "--help"])
    assert r.returncode == 0, r.stderr
    assert "example:" in r.stdout and COMMANDS[words].example in r.stdout


def test_declaring_arguments_imports_no_torch():
    code = ("import sys\nfrom spikedv.cli import main\n"
            f"for words in {MINE!r}:\n"
            "    try:\n        main([*words, '--help'])\n    except SystemExit:\n        pass\n"
            "print('torch' in sys.modules)\n")
    r = _python(code)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "False"


def test_training_without_torch_is_one_line():
    r = _python(NO_TORCH + "from spikedv.cli import main; sys.exit(main(['rsnn', 'train', "
                "'--smoke']))")
    assert r.returncode != 0
    assert r.stderr == f"spikedv: error: {TRAIN_EXTRA} (no module torch)\n"


def test_torch_tests_skip_with_the_extra_reason():
    tests = ["tests/train/test_rsnn_train.py", "tests/train/test_qclif_train.py",
             "tests/train/test_train_cli.py"]
    r = _python(NO_TORCH + f"import pytest; sys.exit(pytest.main(['-q', '-rs', '-p', "
                f"'no:cacheprovider', *{tests!r}]))")
    assert r.returncode in (0, 5), r.stdout + r.stderr     # 5: every module skipped
    assert f"{len(tests)} skipped" in r.stdout
    skips = [line for line in r.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skips) == len(tests) and all(line.endswith(f": {TRAIN_EXTRA}") for line in skips)
