""".github/workflows/regress.yml: the test command on Verilator on every push, the
regression as a matrix of shards whose count agrees with the shard command and the merge
job, the merge job publishing the signoff report and JUnit, caches of pip and the
simulator builds. actionlint checks the file too where it is installed (it is not
installable here: its PyPI wrapper downloads the binary from GitHub at build time).
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "regress.yml"


@pytest.fixture(scope="module")
def wf() -> dict:
    return yaml.safe_load(WORKFLOW.read_text())


def _runs(job: dict) -> list[str]:
    return [s["run"] for s in job["steps"] if "run" in s]


def _uses(job: dict, action: str) -> list[dict]:
    return [s for s in job["steps"] if s.get("uses", "").startswith(action)]


def test_triggers_and_jobs(wf):
    on = wf.get("on", wf.get(True))      # YAML 1.1 reads a bare `on` as true
    assert "push" in on and "schedule" in on and "workflow_dispatch" in on
    assert set(wf["jobs"]) == {"test", "regress", "merge"}
    for job in wf["jobs"].values():
        assert job.get("timeout-minutes", 0) > 0
        assert any("scripts/setup.sh" in r for r in _runs(job))


def test_every_push_runs_the_test_command_on_verilator(wf):
    test = wf["jobs"]["test"]
    assert "if" not in test
    assert any(re.search(r"python -m pytest --sim verilator -n auto", r) for r in _runs(test))


def test_shard_count_matrix_and_merge_agree(wf):
    shards = int(wf["env"]["SHARDS"])
    regress, merge = wf["jobs"]["regress"], wf["jobs"]["merge"]
    assert regress["strategy"]["matrix"]["shard"] == list(range(1, shards + 1))
    assert regress["strategy"]["fail-fast"] is False      # one shard's failure keeps the rest
    (shard_cmd,) = [r for r in _runs(regress) if "spikedv regress" in r]
    assert "--shard ${{ matrix.shard }}/${{ env.SHARDS }}" in shard_cmd
    assert "--seed ${{ env.SEED }}" in shard_cmd          # same seed in every shard
    results = re.search(r"--results ((?:\$\{\{[^}]*\}\}|\S)+)", shard_cmd).group(1)
    (upload,) = _uses(regress, "actions/upload-artifact")
    assert upload["with"]["path"] == results and upload["if"] == "always()"
    name = upload["with"]["name"]
    assert name == "results-shard-${{ matrix.shard }}"

    assert merge["needs"] == "regress" and "always()" in merge["if"]
    (download,) = _uses(merge, "actions/download-artifact")
    assert download["with"]["pattern"] == name.replace("${{ matrix.shard }}", "*")
    where = download["with"]["path"]
    (merge_cmd,) = [r for r in _runs(merge) if "spikedv merge" in r]
    assert f"spikedv merge {where}/{download['with']['pattern']}" in merge_cmd
    reports = re.search(r"--reports (\S+)", merge_cmd).group(1)
    published = {u["with"]["name"]: u["with"]["path"] for u in _uses(merge, "actions/upload-artifact")}
    assert published["signoff-report"] == reports
    assert published["junit-regress"] == f"{reports}/junit.xml"


def test_caches_pip_and_the_simulator_builds(wf):
    for name, job in wf["jobs"].items():
        paths = [u["with"]["path"] for u in _uses(job, "actions/cache")]
        assert "~/.cache/pip" in paths, name
        if name != "merge":
            assert "sim_build/builds" in paths, name


def test_commands_and_scripts_exist(wf):
    from spikedv.cli import COMMANDS

    for job in wf["jobs"].values():
        for run in _runs(job):
            for words in re.findall(r"\bspikedv ([a-z]+)", run):
                assert (words,) in COMMANDS, f"`spikedv {words}` is not a command"
            for script in re.findall(r"bash (\S+\.sh)", run):
                assert (ROOT / script).is_file(), script


def test_actionlint_where_installed():
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed (its PyPI wrapper fetches a binary from "
                    "GitHub); the checks above stand in")
    proc = subprocess.run([actionlint, str(WORKFLOW)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
