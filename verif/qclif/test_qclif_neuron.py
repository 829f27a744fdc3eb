"""qclif_neuron: one neuron over long random spike trains against model.qclif.

Each sample starts with `clear` (the first with a reset instead, one with `clear` and
`step` in the same cycle) and runs BINS bins; after every step Va, V and the spike are
scoreboarded. Idle cycles (no `step`, inputs changing) are inserted at random and must
leave the state alone. Scenarios, in this order then at random:

- network: a 200-neuron network run by ``qclif.run``; the DUT is one of its neurons, fed
  the network's own spikes of the previous bin as context;
- g0 = 0 with no context: the network never fires, however strong its input;
- saturating: all weights 127 (or -128) and dense inputs, so Is, Ia, Va and V saturate;
- standalone: random context trains of any density, ``qclif.neuron_step`` bin by bin.
"""
from __future__ import annotations

import cocotb
import numpy as np
from cocotb.triggers import FallingEdge, RisingEdge

from model import qclif
from verif.common.scoreboard import Scoreboard
from verif.common.tb import TbBase, simulator_name

BINS = 250
N = 200                  # network size = the DUT's N_CTX
DENSITIES = (0.0, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
FIXED_SCENARIOS = ("network", "g0_zero_no_context", "saturate_high", "saturate_low", "standalone")


def _pack(values, width: int) -> int:
    """Lanes (lane 0 in the least significant bits) as one integer."""
    out = 0
    for i, v in enumerate(np.asarray(values).tolist()):
        out |= (int(v) & ((1 << width) - 1)) << (i * width)
    return out


def _random_regs(rng) -> qclif.QclifRegs:
    """Registers under which a random neuron sometimes fires and sometimes not."""
    return qclif.QclifRegs(la=int(rng.integers(0, 17)), ls=int(rng.integers(0, 17)),
                           g0=int(rng.choice([0, int(rng.integers(1, 256))], p=[0.2, 0.8])),
                           theta=int(rng.integers(1, 256)), si=int(rng.integers(0, 7)),
                           sa=int(rng.integers(0, 7)), sd=int(rng.integers(2, 12)))


def _input_train(rng, density: float | None = None) -> np.ndarray:
    """(BINS, 200) bits; each bin's density drawn from DENSITIES unless given."""
    dens = np.full(BINS, density) if density is not None else rng.choice(DENSITIES, BINS)
    return (rng.random((BINS, qclif.N_INPUTS)) < dens[:, None]).astype(np.uint8)


def _network_sample(rng, weights, regs, x, pick_active=True):
    """The DUT's stimulus and expectations for one neuron of a network run."""
    result = qclif.run(weights, regs, x)
    counts = result.spikes.sum(axis=0)
    # Prefer a neuron that neither never nor always fires.
    candidates = np.flatnonzero((counts > 0) & (counts < BINS)) if pick_active else []
    n = int(rng.choice(candidates)) if len(candidates) else int(rng.integers(N))
    ctx = np.vstack([np.zeros((1, N), np.uint8), result.spikes[:-1]])
    return dict(n=n, win=weights.win[:, n], wctx=weights.wctx[:, n], x=x, ctx=ctx,
                va=result.va[:, n], v=result.v[:, n], spike=result.spikes[:, n],
                is_=result.is_[:, n])


def _standalone_sample(rng, regs):
    """A neuron with random columns and random context trains, stepped by neuron_step."""
    win = qclif.QclifWeights.random(rng, n=1, density=rng.uniform(0.2, 1.0)).win[:, 0]
    wctx = rng.integers(-128, 128, N)
    x = _input_train(rng)
    ctx = (rng.random((BINS, N)) < rng.choice(DENSITIES, BINS)[:, None]).astype(np.uint8)
    va, v = 0, 0
    exp = {"va": [], "v": [], "spike": [], "is_": []}
    for t in range(BINS):
        out = qclif.neuron_step((va, v), x[t], ctx[t], win, wctx, regs)
        va, v = int(out["va"]), int(out["v"])
        exp["va"].append(va)
        exp["v"].append(v)
        exp["spike"].append(int(out["spike"]))
        exp["is_"].append(int(out["is_"]))
    return dict(n=0, win=win, wctx=wctx, x=x, ctx=ctx, **{k: np.array(e) for k, e in exp.items()})


def _make_sample(rng, scenario: str):
    regs = _random_regs(rng)
    if scenario == "network":
        weights = qclif.QclifWeights.random(rng, n=N, density=rng.uniform(0.2, 1.0))
        return regs, _network_sample(rng, weights, regs, _input_train(rng))
    if scenario == "g0_zero_no_context":
        regs.g0, regs.ls = 0, 0
        weights = qclif.QclifWeights.random(rng, n=N, low=64, high=127)
        sample = _network_sample(rng, weights, regs, _input_train(rng, 0.5), pick_active=False)
        assert not sample["spike"].any(), "model: a neuron fired with g0 = 0 and no context"
        return regs, sample
    if scenario in ("saturate_high", "saturate_low"):
        w = 127 if scenario == "saturate_high" else -128
        regs = qclif.QclifRegs(la=0, ls=0, g0=255, theta=int(rng.integers(1, 256)),
                               si=0, sa=0, sd=int(rng.integers(0, 3)))
        full = np.full((N, N), w, np.int8)
        weights = qclif.QclifWeights(win=np.full((qclif.N_INPUTS, N), w, np.int8),
                                     wctx=full, wout=np.zeros((N, qclif.N_CLASSES), np.int8))
        return regs, _network_sample(rng, weights, regs, _input_train(rng, 1.0))
    return regs, _standalone_sample(rng, regs)


class NeuronTb(TbBase):
    def __init__(self, dut):
        super().__init__(dut)
        self.sb = Scoreboard("qclif_neuron", self.log)
        dut.step.value = 0
        dut.clear.value = 0

    def drive_inputs(self, x_bits, ctx_bits):
        self.dut.in_bits.value = _pack(x_bits, 1)
        self.dut.ctx_bits.value = _pack(ctx_bits, 1)

    def set_sample(self, regs: qclif.QclifRegs, sample: dict):
        for name, value in regs.as_dict().items():
            getattr(self.dut, name).value = value
        self.dut.in_weights.value = _pack(sample["win"], 8)
        self.dut.ctx_weights.value = _pack(sample["wctx"], 8)

    def check_state(self, where: str, va: int, v: int, spike: int):
        dut = self.dut
        self.sb.check(f"{where}: va", va, dut.va.value.to_unsigned())
        self.sb.check(f"{where}: v", v, dut.v.value.to_unsigned())
        self.sb.check(f"{where}: spike", spike, int(dut.spike.value))


@cocotb.test(timeout_time=5, timeout_unit="ms")
async def random_spike_trains(dut):
    tb = NeuronTb(dut)
    rng = tb.rng
    n_samples = 16 if simulator_name() == "verilator" else 7
    scenarios = list(FIXED_SCENARIOS) + [str(rng.choice(["network", "standalone"]))
                                         for _ in range(n_samples - len(FIXED_SCENARIOS))]
    clear_with_step = int(rng.integers(1, n_samples))
    await tb.reset()
    totals = {"spikes": 0, "bins": 0, "va255": 0, "is_saturated": 0}
    for s, scenario in enumerate(scenarios):
        regs, sample = _make_sample(rng, scenario)
        label = f"sample {s} ({scenario}, neuron {sample['n']}, regs {regs.as_dict()})"
        await FallingEdge(dut.clk)
        tb.set_sample(regs, sample)
        if s == 0:
            pass  # fresh from reset
        elif s == 1:
            await tb.reset(cycles=1)  # reset in place of clear
            await FallingEdge(dut.clk)
        else:
            dut.clear.value = 1
            dut.step.value = int(s == clear_with_step)  # clear wins over step
            await RisingEdge(dut.clk)
            await FallingEdge(dut.clk)
            dut.clear.value = 0
            dut.step.value = 0
        tb.check_state(f"{label} at start", 0, 0, 0)
        for t in range(BINS):
            tb.drive_inputs(sample["x"][t], sample["ctx"][t])
            dut.step.value = 1
            await RisingEdge(dut.clk)
            await FallingEdge(dut.clk)
            dut.step.value = 0
            expected = (int(sample["va"][t]), int(sample["v"][t]), int(sample["spike"][t]))
            tb.check_state(f"{label} bin {t}", *expected)
            if rng.random() < 0.05:  # idle cycles with other inputs: state must hold
                for _ in range(int(rng.integers(1, 4))):
                    tb.drive_inputs(rng.integers(0, 2, qclif.N_INPUTS), rng.integers(0, 2, N))
                    await RisingEdge(dut.clk)
                    await FallingEdge(dut.clk)
                tb.check_state(f"{label} bin {t} after idle cycles", *expected)
        totals["spikes"] += int(sample["spike"].sum())
        totals["bins"] += BINS
        totals["va255"] += int((sample["va"] == 255).sum())
        totals["is_saturated"] += int(np.isin(sample["is_"], (-128, 127)).sum())
    tb.sb.finish(min_compared=3 * BINS * n_samples)
    tb.log.info("%d samples x %d bins: %s", n_samples, BINS, totals)
    # The fixed scenarios guarantee both outcomes; a model change that loses them shows here.
    assert 0 < totals["spikes"] < totals["bins"], f"spike coverage lost: {totals}"
    assert totals["va255"] > 0 and totals["is_saturated"] > 0, f"no saturation: {totals}"


def test_qclif_neuron(cocotb_run):
    cocotb_run("qclif_neuron", __name__)
