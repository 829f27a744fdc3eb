"""Live status: the results of a run mapped onto the testpoints, and the verdict per
plan and stage.

A testpoint is
- **failing** when any test it names failed (the failing ids and their replay commands
  are kept);
- **not run** when none of its tests passed (absent from the results, skipped as long
  tests without ``--long``, or skipped for a missing tool);
- **partial** when some passed but not all it names ran: a pattern with no result, a
  long test not run, or an RTL testpoint without a passing run on one simulator (a
  ``tooling`` testpoint, e.g. the command line's errors from inside a Verilator run,
  tests the tooling, not the design: the simulators its tests use are enough);
- **passing** otherwise: every test it names that ran passed, on both simulators when
  they are RTL tests (tests that run no simulator count once; a test that skips itself on
  one simulator by design, e.g. "Verilator only", does not count against it).

A stage is **met** when the stage below it is met, every testpoint of this stage and
below (imported ones included) is passing, and the plan's targets of the stage hold
(coverage on the design-unit view after waivers, synthesis, formal, mutation).
"""
from __future__ import annotations

from spikedv.report.junit import PYTHON, Case
from spikedv.report.testplan import PERCENT_TARGETS, STAGES, Testplan, Testpoint, pattern_regex
from verif.sim import SIMULATORS

PASSING, FAILING, PARTIAL, NOT_RUN = "passing", "failing", "partial", "not run"
CODE_KINDS = ("line", "branch", "toggle")


def first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:300]
    return ""


def status_of_testpoint(tp: Testpoint, cases: list[Case]) -> dict:
    regs = [(p, pattern_regex(p)) for p in tp.tests]
    matched, unmatched = [], []
    for p, r in regs:
        mine = [c for c in cases if r.match(c.id)]
        if not mine:
            unmatched.append(p)
        matched += [c for c in mine if c not in matched]
    engines = {}
    for c in matched:
        cell = engines.setdefault(c.engine, {"passed": 0, "failed": 0, "skipped": 0,
                                             "not run": 0})
        cell[c.outcome] += 1
    failing = [{"id": c.id, "engine": c.engine, "replay": c.replay, "seeds": c.seeds,
                "message": first_line(c.message)} for c in matched if c.outcome == "failed"]
    passed = sum(e["passed"] for e in engines.values())
    rtl = any(c.engine != PYTHON for c in matched)
    notes = []
    if unmatched:
        notes.append("no result for " + ", ".join(unmatched))
    long_not_run = sum(e["not run"] for e in engines.values())
    if long_not_run:
        notes.append(f"{long_not_run} long test(s) not run (run with --long)")
    if rtl and not tp.tooling:
        for sim in SIMULATORS:
            e = engines.get(sim)
            if e is None:
                notes.append(f"not run on {sim}")
            elif not e["passed"] and not (e["skipped"] and not e["failed"] and not e["not run"]):
                notes.append(f"nothing passed on {sim}")
    skipped = [c for c in matched if c.outcome == "skipped"]
    if failing:
        status = FAILING
    elif not passed:
        status = NOT_RUN
        if skipped and not notes:
            notes.append("skipped: " + first_line(skipped[0].message))
    elif notes:
        status = PARTIAL
    else:
        status = PASSING
    return {"name": tp.name, "plan": tp.plan, "stage": tp.stage, "desc": tp.desc,
            "tests": list(tp.tests), "covergroups": list(tp.covergroups),
            "assertions": list(tp.assertions), "proofs": list(tp.proofs),
            "tags": list(tp.tags), "status": status, "engines": engines,
            "matched": len(matched), "failing": failing, "notes": notes,
            "skipped": [{"id": c.id, "reason": first_line(c.message)} for c in skipped]}


def plan_statuses(plans: dict[str, Testplan], cases: list[Case]) -> dict[str, dict[str, dict]]:
    """{plan: {testpoint: status}} for each declared testpoint."""
    return {name: {tp.name: status_of_testpoint(tp, cases) for tp in plan.testpoints}
            for name, plan in plans.items()}


def _pct(x) -> str:
    return "-" if x is None else f"{x:.1f}%"


def coverage_reasons(targets: dict, cov: dict | None) -> list[str]:
    """Why the coverage targets of a stage do not hold (empty: they hold)."""
    reasons = []
    wanted = [k for k in CODE_KINDS if k in targets]
    if wanted:
        if not cov:
            reasons.append("no code coverage data")
        else:
            if cov.get("files_missing"):
                n = len(cov["files_missing"])
                reasons.append(f"no code coverage data for {n} RTL file(s): "
                               + ", ".join(cov["files_missing"][:4]) + (" ..." if n > 4 else ""))
            for k in wanted:
                fig = cov.get("code", {}).get(k)
                if fig is None or fig.get("percent") is None:
                    reasons.append(f"{k} coverage not measured")
                elif fig["percent"] < targets[k]:
                    reasons.append(f"{k} {_pct(fig['percent'])} < {targets[k]:g}%")
    if "functional" in targets:
        func = (cov or {}).get("functional")
        if not func or func.get("percent") is None:
            reasons.append("functional coverage not measured")
        else:
            if func.get("missing"):
                reasons.append("no functional data for " + ", ".join(func["missing"][:4])
                               + (" ..." if len(func["missing"]) > 4 else ""))
            if func["percent"] < targets["functional"]:
                reasons.append(f"functional {_pct(func['percent'])} < "
                               f"{targets['functional']:g}%")
    return reasons


def evidence_reasons(design: str, targets: dict, synthesis: dict, formal: dict,
                     mutation: dict) -> list[str]:
    reasons = []
    if targets.get("synthesis"):
        d = synthesis.get("designs", {}).get(design, {})
        st = d.get("status", "not run")
        if st != "clean":
            detail = d.get("failed") or d.get("missing") or []
            reasons.append(f"synthesis {st}" + (": " + ", ".join(detail[:4]) if detail else ""))
    if targets.get("formal"):
        d = formal.get("designs", {}).get(design, {})
        st = d.get("status", "not run")
        if st != "passed":
            reasons.append(f"formal {st}" + (": " + ", ".join(d["failed"][:4])
                                             if d.get("failed") else ""))
    if "mutation" in targets:
        d = mutation.get("designs", {}).get(design, {})
        score = d.get("score")
        if score is None:
            reasons.append(f"mutation {d.get('status', 'not run')}")
        elif score < targets["mutation"]:
            reasons.append(f"mutation score {_pct(score)} < {targets['mutation']:g}%")
    return reasons


def verdicts(plans: dict[str, Testplan], statuses: dict[str, dict[str, dict]],
             coverage: dict[str, dict], synthesis: dict, formal: dict,
             mutation: dict) -> dict[str, dict]:
    """{plan: {"stage": highest stage met or None, "ran": whether any of its testpoints'
    tests has a result, "stages": {S: {"met", "reasons"}}}}."""
    out = {}
    for name, plan in plans.items():
        stages, below_met, highest = {}, True, None
        for i, stage in enumerate(STAGES):
            reasons = [] if below_met else [f"{STAGES[i - 1]} not met"]
            counts = {PASSING: 0, FAILING: 0, PARTIAL: 0, NOT_RUN: 0}
            for tp in plan.all_testpoints:
                if tp.stage_index > i:
                    continue
                st = statuses[tp.plan][tp.name]
                counts[st["status"]] += 1
                if st["status"] != PASSING:
                    where = tp.name if tp.plan == name else f"{tp.plan}.{tp.name}"
                    reasons.append(f"testpoint {where}: {st['status']}")
            targets = plan.targets.get(stage, {})
            if plan.is_design:
                reasons += coverage_reasons(targets, coverage.get(name))
                reasons += evidence_reasons(name, targets, synthesis, formal, mutation)
            met = not reasons
            stages[stage] = {"met": met, "reasons": reasons, "testpoints": counts,
                             "targets": {k: v for k, v in targets.items()
                                         if k in PERCENT_TARGETS or v}}
            below_met = met
            if met:
                highest = stage
        ran = any(statuses[tp.plan][tp.name]["matched"] for tp in plan.all_testpoints)
        out[name] = {"stage": highest, "design": plan.is_design, "ran": ran,
                     "stages": stages}
    return out


def verdict_line(verdict: dict[str, dict]) -> str:
    """One line: each plan's highest stage met and the first reason of the next (a plan
    none of whose tests ran, e.g. tooling in the design regression, says so)."""
    parts = []
    for name, v in verdict.items():
        if not v["ran"]:
            parts.append(f"{name}: not run in this regression")
            continue
        nxt = next((s for s in STAGES if not v["stages"][s]["met"]), None)
        text = f"{name}: {v['stage'] + ' met' if v['stage'] else 'no stage met'}"
        if nxt is not None:
            reasons = v["stages"][nxt]["reasons"]
            text += f" ({nxt}: {len(reasons)} open, e.g. {reasons[0]})"
        parts.append(text)
    return "; ".join(parts)


def print_outcome(result: dict) -> None:
    """The last two lines of every command that builds the report (regress, report,
    merge): where the report is, and the verdict."""
    print(f"report: {result['index']}  (signoff.json, junit.xml beside it)")
    print(f"verdict: {verdict_line(result['verdict'])}")
