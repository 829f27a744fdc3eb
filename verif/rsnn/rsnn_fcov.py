"""Functional coverage of the rsnn accelerator (covergroups of verif/testplan.md).

The testbench calls :func:`sample_frame` once per checked frame with the model's
FrameResult (what the frame exercised is a property of its stimulus, which the model
computes exactly), and :func:`sample_error` when an ERR bit is seen raised. Names are
``rsnn.<group>.<item>``; ``verif.common.fcov.export()`` writes them out per run.
"""
from __future__ import annotations

import numpy as np
from cocotb_coverage.coverage import CoverCross, CoverPoint

from verif.common.fcov import DENSITY_BINS, contains, density_bin

ERROR_BINS = ("T", "s_in", "b0", "b1", "theta0", "theta1", "PAD_NONZERO", "PKT_LEN",
              "WMEM_BUSY", "WMEM_ADDR")


def _active_features(x) -> str:
    n = int(np.count_nonzero(np.asarray(x)[:40]))
    return "none" if n == 0 else "few" if n <= 10 else "many" if n < 40 else "all"


def _saturation(values) -> list[str]:
    """Which of: some value at +2047, at -2048, strictly inside the 12-bit range."""
    v = np.asarray(values)
    return [name for name, hit in (("high", np.any(v == 2047)), ("low", np.any(v == -2048)),
                                   ("inside", np.any((v > -2048) & (v < 2047)))) if hit]


def _merged_values(m) -> list[int]:
    return sorted({int(v) for v in np.unique(m)})


@CoverPoint("rsnn.frame.T", xf=lambda r, ctx: r.T, bins=[1, 2])
@CoverPoint("rsnn.frame.schedule", xf=lambda r, ctx: ctx.get("schedule", "paper"),
            bins=["paper", "union"])
@CoverPoint("rsnn.frame.utterance_start", xf=lambda r, ctx: ctx.get("start", "none"),
            bins=["tuser", "ctrl", "none"])
@CoverPoint("rsnn.frame.stalls", xf=lambda r, ctx: ctx.get("stalls", "none"),
            bins=["none", "random", "worst"])
@CoverPoint("rsnn.in.active_features", xf=lambda r, ctx: _active_features(r.x),
            bins=["none", "few", "many", "all"])
@CoverPoint("rsnn.l0.density", xf=lambda r, ctx: density_bin(r.s0), bins=list(DENSITY_BINS))
@CoverPoint("rsnn.l1.density", xf=lambda r, ctx: density_bin(r.s1), bins=list(DENSITY_BINS))
@CoverCross("rsnn.l1.density_x_T", items=["rsnn.l1.density", "rsnn.frame.T"])
@CoverCross("rsnn.frame.schedule_x_T_x_density",
            items=["rsnn.frame.schedule", "rsnn.frame.T", "rsnn.l1.density"])
# "low" (-2048) is reachable (A >= 40 * 255 * -8 = -81,600 saturates at s_in = 0) but
# random frames miss it; test_rsnn_accel.py::current_saturation_low reaches it by
# construction, for both cover points.
@CoverPoint("rsnn.l0.current_saturation", xf=lambda r, ctx: _saturation(r.i0),
            bins=["high", "low", "inside"], rel=contains, inj=False)
@CoverPoint("rsnn.l0.input_saturation", xf=lambda r, ctx: _saturation(r.iin),
            bins=["high", "low", "inside"], rel=contains, inj=False)
@CoverPoint("rsnn.l0.membrane_floor", xf=lambda r, ctx: _saturation(r.u0),
            bins=["low", "inside"], rel=contains, inj=False)
@CoverPoint("rsnn.fc.merged_value", xf=lambda r, ctx: _merged_values(r.m), bins=[0, 1, 2],
            rel=contains, inj=False)
@CoverPoint("rsnn.out.pred_octet", xf=lambda r, ctx: int(r.pred) // 8, bins=list(range(6)))
def sample_frame(result, ctx: dict) -> None:
    """One checked frame: ``result`` is model.rsnn.FrameResult; ``ctx`` holds the
    stimulus facts the model does not know (``start``, ``stalls``)."""


@CoverPoint("rsnn.regs.error", xf=lambda name: name, bins=list(ERROR_BINS))
def sample_error(name: str) -> None:
    """An ERR bit that a test provoked and saw raised."""


class RsnnCoverage:
    """Samples the rsnn covergroups in one place: every frame the predictor expects
    (what the frame exercised is a property of its stimulus, which the model computes
    exactly) and every ERR bit a register read saw raised."""

    def __init__(self, regmap):
        self.err = regmap["ERR"]
        self.err_bits = regmap.err_bits()

    def on_frame(self, exp) -> None:
        start = exp.start if exp.index == 0 and exp.start in ("tuser", "ctrl") else "none"
        sample_frame(exp.result, {"start": start, "schedule": exp.schedule,
                                  "stalls": exp.context.get("stalls", "none")})

    def on_register(self, access) -> None:
        if access.kind == "read" and access.ok and access.register == "ERR":
            for name, bit in self.err_bits.items():
                if access.value >> bit & 1:
                    sample_error(name)
