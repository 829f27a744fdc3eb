"""Functional coverage of the qclif network (covergroups of verif/testplan.md).

Sampled in one place, :class:`QclifCoverage`, a subscriber of the predictor and the
register agent: :func:`sample_bin` once per bin the predictor expects (what the bin
exercised is a property of its stimulus, which the model computes exactly) with the
configuration, :func:`sample_error` for every ERR bit a register read saw raised. The
shared register suite (verif/common/test_registers.py, its own bus code) calls
:func:`sample_error` and :func:`sample_strobe` for the checks it made.
"""
from __future__ import annotations

import numpy as np
from cocotb_coverage.coverage import CoverCross, CoverPoint

from verif.common.fcov import DENSITY_BINS, contains, density_bin

ERROR_BINS = ("la", "ls", "g0", "theta", "si", "sa", "sd", "SAMPLE_LEN", "WMEM_BUSY",
              "WMEM_ADDR")  # model.regmap.QCLIF.err_bits() names


def _ends(values, lo: int, hi: int) -> list[str]:
    """Which of: some value at the low end, at the high end, strictly inside."""
    v = np.asarray(values)
    return [name for name, hit in (("low", np.any(v == lo)), ("high", np.any(v == hi)),
                                   ("inside", np.any((v > lo) & (v < hi)))) if hit]


def _signs(values) -> list[str]:
    v = np.asarray(values)
    return [name for name, hit in (("negative", np.any(v < 0)), ("zero", np.any(v == 0)),
                                   ("positive", np.any(v > 0))) if hit]


def _range_bins(ctx: dict, names, top: int) -> list[str]:
    """Per register of ``names``: ``<name>_zero``, ``_low`` (1 .. top // 2) or ``_high``
    (the upper half of its legal range 0..top)."""
    out = []
    for name in names:
        v = getattr(ctx["regs"], name)
        out.append(f"{name}_{'zero' if v == 0 else 'low' if v <= top // 2 else 'high'}")
    return out


LEAK_BINS = [f"{r}_{b}" for r in ("la", "ls") for b in ("zero", "low", "high")]
SHIFT_BINS = [f"{r}_{b}" for r in ("si", "sa") for b in ("zero", "low", "high")]


def _np_ratio(ctx: dict) -> str:
    n, np_units = ctx["n"], ctx["np_units"]
    return "one_unit" if np_units == 1 else "all_units" if np_units == n else "shared_units"


# "saturated" (every neuron fires, then a saturated context) is reachable but random
# weights miss it, and "dense" x NP only now and then: both are built, for every NP, by
# test_qclif_coverage_corners.py::saturated_and_dense_bins.
@CoverPoint("qclif.bin.spike_density", xf=lambda r, ctx: density_bin(r["spike"]),
            bins=list(DENSITY_BINS))
@CoverPoint("qclif.bin.context_density", xf=lambda r, ctx: density_bin(r["s_prev"]),
            bins=list(DENSITY_BINS))
@CoverPoint("qclif.neuron.somatic_input_saturation", xf=lambda r, ctx: _ends(r["is_"], -128, 127),
            bins=["low", "high", "inside"], rel=contains, inj=False)
@CoverPoint("qclif.neuron.apical_input_saturation", xf=lambda r, ctx: _ends(r["ia"], -128, 127),
            bins=["low", "high", "inside"], rel=contains, inj=False)
@CoverPoint("qclif.neuron.apical_clamp", xf=lambda r, ctx: _ends(r["va"], 0, 255),
            bins=["low", "high", "inside"], rel=contains, inj=False)
@CoverPoint("qclif.neuron.somatic_clamp", xf=lambda r, ctx: _ends(r["v_soma"], 0, 255),
            bins=["low", "high", "inside"], rel=contains, inj=False)
@CoverPoint("qclif.neuron.product_sign", xf=lambda r, ctx: _signs(r["d"]),
            bins=["negative", "zero", "positive"], rel=contains, inj=False)
@CoverPoint("qclif.config.units", xf=lambda r, ctx: _np_ratio(ctx),
            bins=["one_unit", "shared_units", "all_units"])
# The upper halves of the legal ranges (la, ls 128..255; si, sa 8..15), which random
# registers never draw: test_qclif_coverage_corners.py::register_extremes.
@CoverPoint("qclif.config.leak", xf=lambda r, ctx: _range_bins(ctx, ("la", "ls"), 255),
            bins=LEAK_BINS, rel=contains, inj=False)
@CoverPoint("qclif.config.shift", xf=lambda r, ctx: _range_bins(ctx, ("si", "sa"), 15),
            bins=SHIFT_BINS, rel=contains, inj=False)
@CoverPoint("qclif.config.g0", xf=lambda r, ctx: "zero" if ctx["g0"] == 0 else "nonzero",
            bins=["zero", "nonzero"])
@CoverCross("qclif.bin.spike_density_x_units",
            items=["qclif.bin.spike_density", "qclif.config.units"])
@CoverPoint("qclif.sample.last_bin", xf=lambda r, ctx: bool(ctx["last"]), bins=[True, False])
def sample_bin(result: dict, ctx: dict) -> None:
    """One checked bin: ``result`` is model.qclif.step_bin's dict; ``ctx`` holds n,
    np_units, g0 and whether the bin ends its sample."""


# SAMPLE_LEN in the default run: test_qclif_coverage_corners.py::sample_len (N = 2).
@CoverPoint("qclif.regs.error", xf=lambda name: name, bins=list(ERROR_BINS))
def sample_error(name: str) -> None:
    """An ERR bit that a test provoked and saw raised."""


STROBE_BINS = ("none", "partial_legal", "partial_illegal", "partial_err_clear",
               "partial_word")


@CoverPoint("qclif.regs.strobe", xf=lambda kind: kind, bins=list(STROBE_BINS))
def sample_strobe(kind: str) -> None:
    """A byte-strobe write a test checked (docs/bus.md): no strobe (nothing written); a
    partial write to a range-checked register whose merged word was legal (stored) or
    illegal (ERR, unchanged); ERR cleared per strobed byte; a 32-bit register or staging
    word merged bytewise."""


class QclifCoverage:
    """Samples the qclif covergroups: every bin the predictor expects and every ERR bit
    a register read saw raised."""

    def __init__(self, regmap, n: int, np_units: int):
        self.err_bits = regmap.err_bits()
        self.n, self.np_units = n, np_units

    def on_bin(self, exp) -> None:
        sample_bin(exp.result, {"n": self.n, "np_units": self.np_units, "g0": exp.regs.g0,
                                "regs": exp.regs, "last": exp.last})

    def on_register(self, access) -> None:
        if access.kind == "read" and access.ok and access.register == "ERR":
            for name, bit in self.err_bits.items():
                if access.value >> bit & 1:
                    sample_error(name)
