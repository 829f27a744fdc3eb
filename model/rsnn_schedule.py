"""Cycle and counter model of the rsnn schedules (docs/rsnn.md "Schedule and cycle
counts" and "Counters"), plus clearly named "what if" alternatives for the benchmark.

Two schedules, selected by the SCHEDULE register and the ``schedule`` argument here:

* ``"paper"`` (reset value): the paper's dataflow. IN walks the feature bits on PE set
  0; L0/L1 use Type B at T = 1 and Type D (every row, broadcast) at T = 2; FC groups
  take W + 2 cycles each.
* ``"union"`` [ours]: IN splits each feature's bits over both PE sets (two per cycle);
  L0/L1 at T = 2 read only the rows whose input spiked in at least one of the two
  steps (one read, broadcast to both sets, as Type D); FC overlaps each group's read
  latency and close with the next group's walk (``max(W, 1)`` cycles per group, + 2
  for the phase). T = 1 layers are Type B in both schedules. Outputs are the same.

All functions are vectorized over leading axes (frames, utterances). Spike vectors are
(..., T, 128) 0/1 arrays; ``x`` is (..., 40|48) features.
"""
from __future__ import annotations

import numpy as np

from model.fixed import popcount8
from model.rsnn import N_FC, N_FEATURES, N_GROUPS, N_INPUT_BUF, N_NEURONS, pad_features

SCHEDULES = ("paper", "union")

# Per-phase overhead cycles [ours]; change together with the RTL and docs/rsnn.md.
OVERHEAD = {
    "in": 2,             # first row read's latency + the Iin register write
    "layer_read": 1,     # L0/L1: read latency before the first work cycle
    "lif_per_step": 1,   # L0/L1: one LIF cycle per time step
    "fc_group": 2,       # FC (paper), per output group: read latency + close
    "fc_tail": 2,        # FC (union), per phase: the last group's read latency + close
    "argmax": 1,
}

# Dense row counts: what a schedule without zero-skipping reads per phase.
DENSE_ROWS = {"win": N_INPUT_BUF, "l0": N_NEURONS, "l1": 2 * N_NEURONS,
              "wfc": N_GROUPS * N_NEURONS}

COUNTER_NAMES = (
    "cyc_in", "cyc_l0", "cyc_l1", "cyc_fc", "cyc_total",
    "reads_win", "reads_wrec", "reads_wfc",
    "skips_win", "skips_wrec", "skips_wfc",
    "spikes_l0_k0", "spikes_l0_k1", "spikes_l1_k0", "spikes_l1_k1",
)


# ---- spike-vector counts ---------------------------------------------------------
def ne(v) -> np.ndarray:
    """Set bits at even j of a (..., 128) vector."""
    return (np.asarray(v)[..., 0::2] != 0).sum(axis=-1).astype(np.int64)


def no(v) -> np.ndarray:
    """Set bits at odd j."""
    return (np.asarray(v)[..., 1::2] != 0).sum(axis=-1).astype(np.int64)


def nz(v) -> np.ndarray:
    return ne(v) + no(v)


def _pair_work(*vectors) -> np.ndarray:
    """Type B/C work: the two PE sets walk even and odd inputs of the concatenated lists
    in parallel, so the phase takes the longer of the two walks."""
    return np.maximum(sum(ne(v) for v in vectors), sum(no(v) for v in vectors))


def _steps(s, T: int) -> np.ndarray:
    s = np.asarray(s)
    if s.shape[-2] != T:
        raise ValueError(f"spike array has {s.shape[-2]} steps, expected T = {T}")
    return s


def _check_T(T: int) -> None:
    if T not in (1, 2):
        raise ValueError(f"T = {T}, expected 1 or 2")


def _check_schedule(schedule: str) -> None:
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule {schedule!r}, expected one of {', '.join(SCHEDULES)}")


def union_steps(s) -> np.ndarray:
    """(..., T, 128) -> (..., 128): 1 where the input spiked in at least one step."""
    return (np.asarray(s) != 0).any(axis=-2)


# ---- phases ----------------------------------------------------------------------
def phase_in(x, schedule: str = "paper") -> dict:
    """IN, Type A: one row read per nonzero feature. Paper: one shift-add per set
    feature bit on PE set 0; union: the feature's set bits two at a time (set 0 the
    1st, 3rd, ... set 1 the 2nd, 4th, ...), ceil(popcount / 2) cycles per feature."""
    _check_schedule(schedule)
    x = pad_features(x)
    bits = popcount8(x)
    work = (bits if schedule == "paper" else (bits + 1) // 2).sum(axis=-1)
    reads = (x != 0).sum(axis=-1)
    return {"cyc": work + OVERHEAD["in"], "reads": reads, "skips": DENSE_ROWS["win"] - reads}


def _layer_cycles(work, T: int):
    return work + OVERHEAD["layer_read"] + T * OVERHEAD["lif_per_step"]


def phase_l0(s0_prev, T: int, schedule: str = "paper") -> dict:
    """L0: Type B at T = 1 (walk S0[t-1][0]); at T = 2 Type D (paper: all 128 rows) or
    the union walk (union: the rows j with S0[t-1][0][j] | S0[t-1][1][j])."""
    _check_schedule(schedule)
    s0_prev = _steps(s0_prev, T)
    if T == 1:
        work = _pair_work(s0_prev[..., 0, :])
        reads = nz(s0_prev[..., 0, :])
    elif schedule == "paper":
        work = reads = np.full(s0_prev.shape[:-2], DENSE_ROWS["l0"], np.int64)
    else:
        work = reads = nz(union_steps(s0_prev))
    return {"cyc": _layer_cycles(work, T), "reads": reads}


def phase_l1(s0_cur, s1_prev, T: int, schedule: str = "paper") -> dict:
    """L1: Type B over the Wf1 list then the Wr1 list at T = 1; at T = 2 Type D (paper:
    256 rows) or the union walk over both lists (union)."""
    _check_schedule(schedule)
    s0_cur, s1_prev = _steps(s0_cur, T), _steps(s1_prev, T)
    if T == 1:
        work = _pair_work(s0_cur[..., 0, :], s1_prev[..., 0, :])
        reads = nz(s0_cur[..., 0, :]) + nz(s1_prev[..., 0, :])
    elif schedule == "paper":
        work = reads = np.full(s0_cur.shape[:-2], DENSE_ROWS["l1"], np.int64)
    else:
        work = reads = nz(union_steps(s0_cur)) + nz(union_steps(s1_prev))
    return {"cyc": _layer_cycles(work, T), "reads": reads}


def phase_fc(s1_cur, schedule: str = "paper") -> dict:
    """FC, Type C with merged spikes: per group, walk the j with m[j] != 0 (W = the
    longer bank's walk). Paper: W + 2 cycles per group; union: groups overlap, each
    max(W, 1) cycles, plus the last group's read latency and close."""
    _check_schedule(schedule)
    mnz = union_steps(s1_cur)
    work = _pair_work(mnz)
    reads = N_GROUPS * nz(mnz)
    if schedule == "paper":
        cyc = N_GROUPS * (work + OVERHEAD["fc_group"])
    else:
        cyc = N_GROUPS * np.maximum(work, 1) + OVERHEAD["fc_tail"]
    return {"cyc": cyc, "reads": reads, "skips": DENSE_ROWS["wfc"] - reads}


def _spike_count(s, k: int, T: int) -> np.ndarray:
    if k >= T:
        return np.zeros(s.shape[:-2], np.int64)
    return nz(s[..., k, :])


# ---- counters --------------------------------------------------------------------
def counters(x, s0_prev, s1_prev, s0_cur, s1_cur, T: int, schedule: str = "paper") -> dict:
    """All counters of docs/rsnn.md "Counters" as int64 arrays over the leading axes.

    s0_prev/s1_prev: the previous frame's spikes (zeros at an utterance's first frame);
    s0_cur/s1_cur: this frame's spikes; all (..., T, 128). ``schedule``: "paper" or
    "union" (the SCHEDULE register).
    """
    _check_T(T)
    _check_schedule(schedule)
    s0_prev, s1_prev = _steps(s0_prev, T), _steps(s1_prev, T)
    s0_cur, s1_cur = _steps(s0_cur, T), _steps(s1_cur, T)
    p_in, p_fc = phase_in(x, schedule), phase_fc(s1_cur, schedule)
    p_l0, p_l1 = phase_l0(s0_prev, T, schedule), phase_l1(s0_cur, s1_prev, T, schedule)
    # Rows a dense schedule would read that were not read (0 for Type D, which reads all).
    skips_wrec = (DENSE_ROWS["l0"] - p_l0["reads"]) + (DENSE_ROWS["l1"] - p_l1["reads"])
    c = {
        "cyc_in": p_in["cyc"], "cyc_l0": p_l0["cyc"], "cyc_l1": p_l1["cyc"],
        "cyc_fc": p_fc["cyc"],
        "cyc_total": p_in["cyc"] + p_l0["cyc"] + p_l1["cyc"] + p_fc["cyc"]
        + OVERHEAD["argmax"],
        "reads_win": p_in["reads"], "reads_wrec": p_l0["reads"] + p_l1["reads"],
        "reads_wfc": p_fc["reads"],
        "skips_win": p_in["skips"], "skips_wrec": skips_wrec, "skips_wfc": p_fc["skips"],
        "spikes_l0_k0": _spike_count(s0_cur, 0, T), "spikes_l0_k1": _spike_count(s0_cur, 1, T),
        "spikes_l1_k0": _spike_count(s1_cur, 0, T), "spikes_l1_k1": _spike_count(s1_cur, 1, T),
    }
    return {k: np.asarray(c[k], dtype=np.int64) for k in COUNTER_NAMES}


def frame_counters(x_frame, s0_prev, s1_prev, s0_cur, s1_cur, T: int,
                   schedule: str = "paper") -> dict:
    """Counters of one frame as plain ints (spike arrays (T, 128), x_frame (40|48,))."""
    return {k: int(v) for k, v in counters(x_frame, s0_prev, s1_prev, s0_cur, s1_cur,
                                           T, schedule).items()}


def worst_case(T: int, schedule: str = "paper", features: int = N_FEATURES) -> dict:
    """Counters of the costliest frame: every bit of the first ``features`` features set
    (255) and every neuron spiking at every step, in this frame and the previous one.
    Every phase's cycles grow with the bits and spikes it walks, so no frame costs more
    (docs/rsnn.md "Worst case")."""
    x = np.zeros(N_INPUT_BUF, np.int64)
    x[:features] = 255
    ones = np.ones((T, N_NEURONS), np.uint8)
    return frame_counters(x, ones, ones, ones, ones, T, schedule)


def previous_frame(s) -> np.ndarray:
    """(..., frames, T, 128) -> the spikes each frame reads as recurrent input: the
    previous frame's, zeros for the first frame of the utterance."""
    s = np.asarray(s)
    prev = np.zeros_like(s)
    prev[..., 1:, :, :] = s[..., :-1, :, :]
    return prev


def _result_spikes(model_result, T: int):
    s0, s1 = np.asarray(model_result["spikes0"]), np.asarray(model_result["spikes1"])
    if s0.shape[-2] != T:
        raise ValueError(f"model result has T = {s0.shape[-2]}, counters asked for T = {T}")
    return s0, s1


def run_counters(model_result, features, T: int, schedule: str = "paper") -> dict:
    """Counters per frame for a ``model.rsnn.run`` result: arrays (..., frames)."""
    s0, s1 = _result_spikes(model_result, T)
    return counters(np.asarray(features), previous_frame(s0), previous_frame(s1), s0, s1, T,
                    schedule)


# ---- "what if" alternatives (benchmark only; the RTL does not do these) ----------
def whatif_sequential_steps_type_b(s0_prev, s1_prev, s0_cur) -> dict:
    """L0/L1 if each time step were processed on its own with Type B (no parallel time
    steps, no broadcast): per step, read the rows of that step's nonzero inputs.
    Returns ``reads_wrec`` and ``cyc_l0``/``cyc_l1`` (per step: work + read latency +
    one LIF cycle). Meaningful for any T; at T = 1 it equals the real schedule."""
    s0_prev, s1_prev, s0_cur = (np.asarray(a) for a in (s0_prev, s1_prev, s0_cur))
    T = s0_prev.shape[-2]
    reads = cyc_l0 = cyc_l1 = 0
    for k in range(T):
        reads = reads + nz(s0_prev[..., k, :]) + nz(s0_cur[..., k, :]) + nz(s1_prev[..., k, :])
        cyc_l0 = cyc_l0 + _layer_cycles(_pair_work(s0_prev[..., k, :]), 1)
        cyc_l1 = cyc_l1 + _layer_cycles(_pair_work(s0_cur[..., k, :], s1_prev[..., k, :]), 1)
    return {"reads_wrec": np.asarray(reads), "cyc_l0": np.asarray(cyc_l0),
            "cyc_l1": np.asarray(cyc_l1)}


def whatif_fc_unmerged(s1_cur) -> dict:
    """FC without merged spikes: one Type B pass over the 15 groups per time step, each
    walking that step's spikes. Returns ``cyc_fc`` and ``reads_wfc``."""
    s1_cur = np.asarray(s1_cur)
    cyc = reads = 0
    for k in range(s1_cur.shape[-2]):
        p = phase_fc(s1_cur[..., k:k + 1, :])
        cyc, reads = cyc + p["cyc"], reads + p["reads"]
    return {"cyc_fc": np.asarray(cyc), "reads_wfc": np.asarray(reads)}


def macs_per_frame(x, s0_prev, s1_prev, s0_cur, s1_cur) -> dict:
    """Multiply-accumulates per frame (one MAC = one weight times one input into one
    output), dense vs effective.

    dense_*: every input of every step (IN over the 40 real features; FC once per step).
    eff_*: only nonzero inputs (IN: nonzero features; L0/L1: spikes per step; FC: the
    nonzero merged spikes, once for both steps). ``eff_fc_unmerged``: FC spikes per
    step, no merging. Counts are arithmetic work, not cycles (Type D reads every row but
    adds only where a spike is 1)."""
    s0_prev, s1_prev, s0_cur, s1_cur = (np.asarray(a) for a in
                                        (s0_prev, s1_prev, s0_cur, s1_cur))
    T = s0_cur.shape[-2]
    shape = s0_cur.shape[:-2]
    n = N_NEURONS
    dense = {"dense_in": N_FEATURES * n, "dense_l0": T * n * n, "dense_l1": T * 2 * n * n,
             "dense_fc": T * n * N_FC}
    eff = {
        "eff_in": (pad_features(x) != 0).sum(axis=-1) * n,
        "eff_l0": nz(s0_prev).sum(axis=-1) * n,
        "eff_l1": (nz(s0_cur) + nz(s1_prev)).sum(axis=-1) * n,
        "eff_fc": nz((s1_cur != 0).any(axis=-2)) * N_FC,
    }
    out = {k: np.full(shape, v, np.int64) for k, v in dense.items()}
    out["dense_total"] = sum(out[k] for k in dense)
    out.update({k: np.asarray(v, np.int64) for k, v in eff.items()})
    out["eff_total"] = sum(out[k] for k in eff)
    out["eff_fc_unmerged"] = nz(s1_cur).sum(axis=-1) * N_FC
    return out


def floor(x, s0_prev, s1_prev, s0_cur, s1_cur) -> dict:
    """What no schedule on these memories and two PE sets can beat, per frame.

    Rows (``reads_*``): the rows whose input is nonzero in at least one step (nonzero
    features; recurrent and feed-forward rows whose input spiked in either step; FC
    rows of nonzero merged spikes): each must be read at least once. The union schedule
    reads exactly these.
    Work cycles (``work_*``, phase overheads not included): each PE set makes one add
    per cycle and each memory bank gives one row per cycle, so a phase needs at least
    ceil(adds / 2) cycles and, per bank, as many cycles as the bank has rows to give:
    IN max(ceil(bits / 2), nonzero features) (one win bank); a layer
    max(ceil((sum over steps of its input spikes) / 2), ne(u), no(u)) with u the union
    over steps of its inputs (= max(ne, no) at T = 1); FC 15 * max(ne, no) of the merged
    spikes."""
    s0_prev, s1_prev, s0_cur, s1_cur = (np.asarray(a) for a in
                                        (s0_prev, s1_prev, s0_cur, s1_cur))
    xp = pad_features(x)
    mnz = union_steps(s1_cur)

    def layer_work(*lists):   # the layer's input lists, each (..., T, 128)
        adds = sum(nz(v).sum(axis=-1) for v in lists)
        return np.maximum((adds + 1) // 2, _pair_work(*(union_steps(v) for v in lists)))

    return {
        "reads_win": (xp != 0).sum(axis=-1),
        "reads_wrec": nz(union_steps(s0_prev)) + nz(union_steps(s0_cur))
        + nz(union_steps(s1_prev)),
        "reads_wfc": N_GROUPS * nz(mnz),
        "work_in": np.maximum((popcount8(xp).sum(axis=-1) + 1) // 2, (xp != 0).sum(axis=-1)),
        "work_l0": layer_work(s0_prev),
        "work_l1": layer_work(s0_cur, s1_prev),
        "work_fc": N_GROUPS * _pair_work(mnz),
    }


def run_whatif(model_result, features, T: int) -> dict:
    """All what-if figures per frame for a ``run`` result, keys prefixed by alternative:
    ``seq_*`` (sequential Type B steps), ``unmerged_*`` (FC without merge), ``floor_*``
    (rows and work cycles no schedule can beat, ``floor``), MAC keys."""
    s0, s1 = _result_spikes(model_result, T)
    p0, p1 = previous_frame(s0), previous_frame(s1)
    out = {f"seq_{k}": v for k, v in whatif_sequential_steps_type_b(p0, p1, s0).items()}
    out.update({f"unmerged_{k}": v for k, v in whatif_fc_unmerged(s1).items()})
    out.update({f"floor_{k}": np.asarray(v, np.int64)
                for k, v in floor(np.asarray(features), p0, p1, s0, s1).items()})
    out.update(macs_per_frame(np.asarray(features), p0, p1, s0, s1))
    return out
