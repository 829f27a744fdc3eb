"""Drive a combinational block with many input vectors, one per nanosecond, and collect
its outputs as numpy arrays (the qclif block tests' sweep loop)."""
from __future__ import annotations

from typing import Mapping

import numpy as np
from cocotb.triggers import Timer


async def sweep(dut, inputs: Mapping[str, np.ndarray], outputs: Mapping[str, bool]) -> dict[str, np.ndarray]:
    """Apply ``inputs`` (port name -> 1-D array of values, all the same length; negative
    values are written as two's complement of the port's width) one vector at a time and
    return ``{port: array}`` for ``outputs`` (port name -> read as signed?). A port is only
    written when its value changes, so nested sweeps with a slow outer loop are cheap."""
    names = list(inputs)
    handles = [getattr(dut, n) for n in names]
    columns = []
    for name, handle in zip(names, handles):
        mask = (1 << len(handle)) - 1
        columns.append([int(v) & mask for v in np.asarray(inputs[name]).ravel().tolist()])
    n = len(columns[0])
    if any(len(c) != n for c in columns):
        raise ValueError("all input arrays must have the same length")
    out_handles = [(getattr(dut, name), signed) for name, signed in outputs.items()]
    # A 1-bit port reads as a Logic (int() of it), a wider one as a LogicArray.
    readers = [(lambda v: int(v)) if len(h) == 1
               else (lambda v: v.to_signed()) if signed else (lambda v: v.to_unsigned())
               for h, signed in out_handles]
    got = [[0] * n for _ in out_handles]
    last = [None] * len(handles)
    for i in range(n):
        for j, (handle, column) in enumerate(zip(handles, columns)):
            value = column[i]
            if value != last[j]:
                handle.value = value
                last[j] = value
        await Timer(1, unit="ns")
        for k, ((handle, _), read) in enumerate(zip(out_handles, readers)):
            got[k][i] = read(handle.value)
    return {name: np.asarray(g, dtype=np.int64) for name, g in zip(outputs, got)}


def grid(*axes) -> list[np.ndarray]:
    """All combinations of the given value arrays, the last axis fastest, flattened."""
    mesh = np.meshgrid(*[np.asarray(a, dtype=np.int64) for a in axes], indexing="ij")
    return [m.ravel() for m in mesh]


def check_rows(sb, where_of_row, expected: np.ndarray, got: np.ndarray) -> None:
    """Scoreboard a sweep row by row: ``expected``/``got`` are (rows, row_length);
    ``where_of_row(r)`` names row r's inputs, the scoreboard appends the index of a
    differing element (the value of the fastest swept input when it starts at 0)."""
    for r in range(expected.shape[0]):
        sb.check(where_of_row(r), expected[r], got[r])


def check_each(sb, block_output: str, inputs: Mapping[str, np.ndarray],
               expected: np.ndarray, got: np.ndarray) -> None:
    """Scoreboard vector by vector; the ``where`` of vector i lists its inputs."""
    names = list(inputs)
    columns = [np.asarray(inputs[n]).tolist() for n in names]
    for i, (e, g) in enumerate(zip(expected.tolist(), got.tolist())):
        if e == g:
            sb.check(block_output, e, g)  # counted; a where string is only built on a mismatch
        else:
            args = ", ".join(f"{n}={c[i]}" for n, c in zip(names, columns))
            sb.check(f"{block_output}({args}) vector {i}", e, g)
