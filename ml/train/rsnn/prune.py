"""Pruning the rsnn training form: structured (256 -> 128 neurons per layer by
importance), unstructured (the smallest FC weights) and the L1 renumbering that balances
the FC phase's even and odd walks (docs/training_rsnn.md steps 4, 5 and 7)."""
from __future__ import annotations

import numpy as np
import torch

from ml.train.rsnn.data import length_batches, pad_batch
from ml.train.rsnn.evaluate import evaluate
from ml.train.rsnn.net import RsnnNet
from model.rsnn import POPULATION


@torch.no_grad()
def neuron_importance(net: RsnnNet, items, batch: int = 32,
                      mode: str = "int") -> tuple[np.ndarray, np.ndarray]:
    """Importance of each neuron = mean spike rate (``mode``, on ``items``) x L1 norm of
    its outgoing integer weights (L0: Wr0 and Wf1 rows; L1: Wr1 and Wfc rows): the
    expected size of the currents it feeds downstream."""
    rate0 = np.zeros(net.hidden)
    rate1 = np.zeros(net.hidden)
    n = 0
    for idx in length_batches(items, batch, None):
        group = [items[i] for i in idx]
        x, _ = pad_batch(group)
        out = net(x, mode)
        for b, it in enumerate(group):
            L = len(it[0])
            rate0 += out["s0"][b, :L].sum((0, 1)).numpy()
            rate1 += out["s1"][b, :L].sum((0, 1)).numpy()
            n += L * out["s0"].shape[2]
    w = net.effective_weights("float", torch.float64)
    out0 = (w["wr0"].abs().sum(1) + w["wf1"].abs().sum(1)).numpy()
    out1 = (w["wr1"].abs().sum(1) + w["wfc"].abs().sum(1) / POPULATION).numpy()
    return rate0 / n * out0, rate1 / n * out1


@torch.no_grad()
def prune_neurons(net: RsnnNet, keep: int, imp0, imp1) -> RsnnNet:
    """Structured pruning: keep the ``keep`` most important neurons of each layer."""
    k0 = np.sort(np.argsort(-imp0, kind="stable")[:keep])
    k1 = np.sort(np.argsort(-imp1, kind="stable")[:keep])
    k0t, k1t = torch.from_numpy(k0), torch.from_numpy(k1)
    new = RsnnNet(keep, net.regs, slope=net.slope)
    new.win.copy_(net.win[:, k0t])
    new.wr0.copy_(net.wr0[k0t][:, k0t])
    new.wf1.copy_(net.wf1[k0t][:, k1t])
    new.wr1.copy_(net.wr1[k1t][:, k1t])
    new.wfc.copy_(net.wfc[k1t])
    new.fc_mask.copy_(net.fc_mask[k1t])
    new.log_temp.copy_(net.log_temp)
    return new


@torch.no_grad()
def prune_fc(net: RsnnNet, fraction: float) -> None:
    """Unstructured magnitude pruning of the FC: zero the ``fraction`` smallest |w|."""
    w = (net.wfc * net.fc_mask).abs().flatten()
    k = int(round(fraction * w.numel()))
    if k <= 0:
        return
    thresh = torch.kthvalue(w, k).values
    mask = ((net.wfc.abs() > thresh) & (net.fc_mask > 0)).float()
    net.fc_mask.copy_(mask)


@torch.no_grad()
def l1_union_activity(net: RsnnNet, items, batch: int = 64) -> np.ndarray:
    """(frames, H) 0/1: which L1 neurons have m[j] != 0 (spike in any step) per frame."""
    ev = evaluate(net, items, "int", batch=batch, want_spikes=True)
    return np.concatenate([s1.any(axis=1) for _, s1 in ev["spikes"]]).astype(np.float64)


def parity_permutation(active: np.ndarray, sweeps: int = 20) -> np.ndarray:
    """Order of the L1 neurons that balances the active ones between even and odd
    positions.

    The FC phase walks the even and the odd j with m[j] != 0 in parallel (docs/rsnn.md),
    so each output group costs max(n_even, n_odd) = (n + |n_even - n_odd|) / 2 cycles.
    Renumbering the L1 neurons changes no integer result but moves the |n_even - n_odd|
    term. With sigma_j = +1 (even) / -1 (odd), 64 of each, n_even - n_odd = sigma . a_t
    for the frame's activity a_t; we minimize mean (sigma . a_t)^2 = sigma^T C sigma,
    C = mean a_t a_t^T, by pairwise swaps (one even, one odd neuron) until no swap helps.
    Returns ``perm``: new neuron i is old neuron perm[i]."""
    a = np.asarray(active, np.float64)
    H = a.shape[1]
    C = a.T @ a / max(len(a), 1)
    sigma = np.where(np.arange(H) % 2 == 0, 1.0, -1.0)
    g = C @ sigma                                      # g_j = (C sigma)_j
    for _ in range(sweeps):
        improved = False
        for i in range(H):
            if sigma[i] < 0:
                continue
            # swapping i (+1 -> -1) and j (-1 -> +1) changes sigma^T C sigma by
            # delta = -4 sigma_i g_i - 4 sigma_j g_j + 4 C_ii + 4 C_jj - 8 sigma_i sigma_j C_ij
            js = np.flatnonzero(sigma < 0)
            delta = (-4 * g[i] + 4 * g[js] + 4 * C[i, i] + 4 * C[js, js] + 8 * C[i, js])
            k = int(np.argmin(delta))
            if delta[k] < -1e-12:
                j = int(js[k])
                g += -2 * C[:, i] + 2 * C[:, j]
                sigma[i], sigma[j] = -1.0, 1.0
                improved = True
        if not improved:
            break
    even = np.flatnonzero(sigma > 0)
    odd = np.flatnonzero(sigma < 0)
    perm = np.empty(H, np.int64)
    perm[0::2] = even
    perm[1::2] = odd
    return perm


@torch.no_grad()
def permute_l1(net: RsnnNet, perm) -> None:
    """Renumber the L1 neurons (new i = old perm[i]): Wf1 columns, Wr1 rows and columns,
    Wfc rows and the FC mask. Every integer result is unchanged except the order of S1."""
    pt = torch.as_tensor(np.asarray(perm), dtype=torch.long)
    net.wf1.copy_(net.wf1[:, pt])
    net.wr1.copy_(net.wr1[pt][:, pt])
    net.wfc.copy_(net.wfc[pt])
    net.fc_mask.copy_(net.fc_mask[pt])
