"""One register test suite for both designs, written from their register maps
(regs/<design>.hjson through model.regmap; docs/registers_rsnn.md, docs/registers_qclif.md)
and run on rsnn_accel and on qclif_network (N = 20, NP = 4).

Expected values come from the map and from model.registers (``merge_strobes``,
``checked_write``, ``rw1c_write``), never from the DUT:
- ``reset_values``: ID and every readable register's reset value (a parameter-valued one
  from the DUT's parameters); reads of write-only registers answer SLVERR;
- ``legal_writes``: legal values (the ends of each legal range and random ones, random
  words elsewhere) read back as written, write-only fields (CTRL's pulses) as 0;
- ``illegal_values``: an illegal value leaves its register unchanged and raises exactly
  its ERR bit, which a write of 1 clears;
- ``err_rw1c``: ERR clears per strobed byte only (bits raised in byte 0 and byte 1);
- ``byte_strobes``: partial writes merge their strobed bytes (range-checked registers:
  the merged word is checked; 32-bit registers and staging words merge bytewise; CTRL
  acts on byte 0 only; WMEM_CMD takes unstrobed bytes as 0);
- ``unmapped_and_read_only``: unmapped addresses answer SLVERR to reads and writes,
  writes to read-only registers answer SLVERR and change nothing;
- ``no_strobe``: a write with no strobe changes nothing, not even ERR;
- ``outstanding``: many writes, then many reads, in flight at once with random stalls on
  all five channels (so AW, W and AR wait while the previous request is held): every
  response OKAY, every register reads the value written.
Functional coverage: each design's ``sample_error`` (and ``sample_strobe`` where the
design has that covergroup) for every check that passed; each test ends with the TB's
``finish()``, which exports this run's coverage.
"""
from __future__ import annotations

from dataclasses import dataclass

import cocotb
import pytest
from cocotbext.axi import AxiResp

from model.regmap import Register, RegisterMap, regmap
from model.registers import checked_write, merge_strobes, rw1c_write
from verif.common.axil import set_axil_backpressure
from verif.settings import load

OKAY, SLVERR = int(AxiResp.OKAY), int(AxiResp.SLVERR)
ALL = 0b1111
WORD_MASK = 0xFFFFFFFF

# design -> (top level, parameters); the builds are those of the designs' own tests
DESIGNS = {"rsnn": ("rsnn_accel", {}), "qclif": ("qclif_network", {"N": 20, "NP": 4})}


@dataclass(frozen=True)
class RegisterSettings:
    design: str = "rsnn"


class RegisterBench:
    """The design's testbench (clock, reset, AXI-Lite master, scoreboard, coverage
    export) with bus accesses that return the response, any strobe pattern, and the
    design's register covergroups."""

    def __init__(self, dut):
        self.design = load(RegisterSettings).design
        self.map: RegisterMap = regmap(self.design)
        if self.design == "rsnn":
            from model.rsnn import RsnnWeights
            from verif.rsnn import rsnn_fcov as fcov
            from verif.rsnn.rsnn_tb import RsnnTb
            self.tb = RsnnTb(dut, RsnnWeights.zeros())
        else:
            from model.qclif import QclifWeights
            from verif.qclif import qclif_fcov as fcov
            from verif.qclif.qclif_tb import QclifTb
            self.tb = QclifTb(dut, QclifWeights.zeros(int(dut.N.value)))
        self.fcov = fcov
        self.params = {p: int(getattr(dut, p).value) for p in self.map.params}
        self.sb = self.tb.sb
        self.rng = self.tb.rng
        self.log = self.tb.log
        self.seen_strobes: set[str] = set()

    async def start(self) -> None:
        await self.tb.reset()

    def finish(self, min_compared: int) -> None:
        self.tb.finish(min_compared=min_compared)

    # ---- bus ----
    async def write(self, addr: int, data: int, strb: int = ALL) -> int:
        """One AXI-Lite write with any WSTRB (none and non-contiguous too, which
        AxiLiteMaster.write cannot issue), on the idle master's AW/W channels; BRESP."""
        wr = self.tb.regs.master.write_if
        aw = wr.aw_channel._transaction_obj()
        aw.awaddr, aw.awprot = addr, 0
        w = wr.w_channel._transaction_obj()
        w.wdata, w.wstrb = data & WORD_MASK, strb
        await wr.aw_channel.send(aw)
        await wr.w_channel.send(w)
        return int((await wr.b_channel.recv()).bresp)

    async def read(self, addr: int) -> tuple[int, int]:
        """(RDATA, RRESP)."""
        result = await self.tb.regs.master.read(addr, 4)
        return int.from_bytes(bytes(result.data), "little"), int(result.resp)

    async def write_ok(self, addr: int, data: int, strb: int = ALL, what: str = "") -> bool:
        resp = await self.write(addr, data, strb)
        return self.sb.check(f"BRESP of {what or 'write'} ({addr:#x} <- {data & WORD_MASK:#010x} "
                             f"strb {strb:04b})", OKAY, resp)

    async def value(self, addr: int) -> int:
        """RDATA of a read that must answer OKAY."""
        data, resp = await self.read(addr)
        self.sb.check(f"RRESP of a read of {addr:#x}", OKAY, resp)
        return data

    async def check(self, what: str, expected: int, addr: int) -> bool:
        return self.sb.check(what, expected, await self.value(addr))

    # ---- map helpers ----
    @property
    def err(self) -> int:
        return self.map.addr("ERR")

    def err_mask(self, *names: str) -> int:
        return self.map.err_mask(*names)

    def cover_error(self, reg_or_field: str) -> None:
        """Sample the design's ERR covergroup under the bit's coverage name."""
        names = {v: k for k, v in self.map.err_bits().items()}
        self.fcov.sample_error(names[self.map.err_bit(reg_or_field)])

    def cover_strobe(self, kind: str, passed: bool) -> None:
        if passed and kind:
            self.seen_strobes.add(kind)
            sample = getattr(self.fcov, "sample_strobe", None)
            if sample is not None:
                sample(kind)

    def plain_rw(self) -> list[Register]:
        """Readable and writable registers that are not range-checked and not ERR
        (CTRL, WMEM_SEL, the WMEM row/neuron register)."""
        return [r for r in self.map if r.kind == "reg" and r.swaccess == "rw"
                and r.legal is None and r.name != "ERR"]

    def window_words(self, count: int) -> list[int]:
        """First, last and random words of every rw window."""
        out = []
        for r in self.map:
            if r.kind == "window" and r.swaccess == "rw":
                picks = {0, r.count - 1, *(int(i) for i in self.rng.integers(0, r.count, count))}
                out += [r.word(i) for i in sorted(picks)]
        return out

    async def raise_wmem_addr(self) -> None:
        """ERR.WMEM_ADDR (byte 1 of ERR) from the map alone: a WMEM_SEL past its last
        memory, then a WMEM_CMD write command."""
        sel = max(self.map.field("WMEM_SEL").enum.values()) + 1
        await self.write_ok(self.map.addr("WMEM_SEL"), sel, what="WMEM_SEL out of range")
        await self.write_ok(self.map.addr("WMEM_CMD"), self.map.field("WMEM_CMD").enum["write"],
                            what="WMEM_CMD write")

    async def clear_err(self) -> None:
        await self.write_ok(self.err, WORD_MASK, what="ERR clear")


def _illegal_values(rng, lo: int, hi: int, width: int) -> list[int]:
    """Words outside lo..hi: the neighbours of the range, the extremes of the word, a
    random word above it and a legal value with bits set above the field."""
    values = [hi + 1, WORD_MASK, 0x80000000, int(rng.integers(hi + 1, 1 << 32))]
    if lo > 0:
        values.insert(0, lo - 1)
    values.append(int(rng.integers(lo, hi + 1)) | (int(rng.integers(1, 1 << (32 - width))) << width))
    return values


# ---- cocotb tests ------------------------------------------------------------------
@cocotb.test(timeout_time=20, timeout_unit="ms")
async def reset_values(dut):
    """ID and every readable word after reset; write-only registers answer SLVERR."""
    b = RegisterBench(dut)
    await b.start()
    b.sb.check(f"{b.design} ID", b.map.field("ID").resval, await b.value(b.map.addr("ID")))
    for reg in b.map:
        if reg.kind == "window":
            continue
        if not reg.readable:
            _, resp = await b.read(reg.addr)
            b.sb.check(f"RRESP of a read of write-only {reg.name}", SLVERR, resp)
            continue
        expected = reg.reset({**b.map.params, **b.params})
        for i, addr in enumerate(reg.addrs):
            name = reg.name if reg.count == 1 else f"{reg.name}[{i}]"
            await b.check(f"{name} after reset", expected, addr)
    b.finish(min_compared=len(b.map.resets()))


@cocotb.test(timeout_time=20, timeout_unit="ms")
async def legal_writes(dut):
    """Legal values read back: the ends of each legal range and random values inside it,
    random words for the other rw registers and staging words (write-only fields such as
    CTRL's pulse read 0)."""
    b = RegisterBench(dut)
    await b.start()
    for reg in b.map.checked():
        lo, hi = reg.legal
        for v in [lo, hi, *(int(x) for x in b.rng.integers(lo, hi + 1, 4))]:
            await b.write_ok(reg.addr, v, what=f"{reg.name} = {v}")
            await b.check(f"{reg.name} after a legal write of {v}", v, reg.addr)
    for reg in b.plain_rw():
        all_fields = sum(f.mask for f in reg.fields)
        for data in [all_fields, 0, *(int(x) for x in b.rng.integers(0, 1 << 32, 3))]:
            await b.write_ok(reg.addr, data, what=reg.name)
            await b.check(f"{reg.name} after a write of {data:#010x} (mask {reg.read_mask:#x})",
                          data & reg.read_mask, reg.addr)
    for addr in b.window_words(3):
        data = int(b.rng.integers(0, 1 << 32))
        await b.write_ok(addr, data, what="staging word")
        await b.check(f"staging word {addr:#x}", data, addr)
    # CTRL: every field written 1; the write-only ones (pulses) read 0.
    ctrl = b.map["CTRL"]
    await b.write_ok(ctrl.addr, sum(f.mask for f in ctrl.fields), what="CTRL all fields")
    pulses = ", ".join(f.name for f in ctrl.fields if not f.readable)
    await b.check(f"CTRL reads its write-only fields ({pulses}) as 0", ctrl.read_mask, ctrl.addr)
    await b.check("ERR after legal writes only", 0, b.err)
    b.finish(min_compared=40)


@cocotb.test(timeout_time=20, timeout_unit="ms")
async def illegal_values(dut):
    """An illegal value leaves the register unchanged and raises exactly its ERR bit;
    writing that bit clears it."""
    b = RegisterBench(dut)
    await b.start()
    for reg in b.map.checked():
        lo, hi = reg.legal
        good = int(b.rng.integers(lo, hi + 1))
        await b.write_ok(reg.addr, good, what=f"{reg.name} = {good}")
        for v in _illegal_values(b.rng, lo, hi, reg.legal_field.width):
            expected, err = checked_write(good, v, ALL, lo, hi)
            assert err, f"{reg.name}: {v:#x} is legal by the model, not an illegal value"
            await b.write_ok(reg.addr, v, what=f"illegal {reg.name}")
            ok = await b.check(f"{reg.name} = {good} after an illegal write of {v:#x}",
                               expected, reg.addr)
            ok &= await b.check(f"ERR after the illegal {reg.name} = {v:#x}",
                                b.err_mask(reg.name), b.err)
            if ok:
                b.cover_error(reg.name)
            await b.write_ok(b.err, b.err_mask(reg.name), what=f"ERR.{reg.name} clear (RW1C)")
            await b.check(f"ERR after clearing ERR.{reg.name}", 0, b.err)
    b.finish(min_compared=40)


@cocotb.test(timeout_time=20, timeout_unit="ms")
async def err_rw1c(dut):
    """ERR is write-1-to-clear per strobed byte: bits raised in byte 0 (every
    range-checked register's) and in byte 1 (WMEM_ADDR) clear only where a strobed
    byte holds a 1."""
    b = RegisterBench(dut)
    await b.start()
    checked = b.map.checked()
    first = checked[0]
    both = b.err_mask(first.name, "WMEM_ADDR")
    # the two-byte case, step by step
    await b.write_ok(first.addr, b.map[first.name].legal[1] + 1, what=f"illegal {first.name}")
    await b.raise_wmem_addr()
    if await b.check(f"ERR with {first.name} and WMEM_ADDR raised", both, b.err):
        b.cover_error("WMEM_ADDR")
    await b.write_ok(b.err, WORD_MASK, 0b0000, "ERR clear with no strobe")
    await b.check("ERR after a clear with no strobe", both, b.err)
    await b.write_ok(b.err, WORD_MASK, 0b0010, "ERR clear of byte 1")
    b.cover_strobe("partial_err_clear", await b.check(
        "ERR after clearing byte 1 only", b.err_mask(first.name), b.err))
    await b.write_ok(b.err, 0xFFFFFF01, 0b0001, "ERR clear of byte 0")
    await b.check("ERR after clearing byte 0", 0, b.err)
    # random clears of random raised sets
    for trial in range(6):
        raised = 0
        for reg in checked:
            if b.rng.random() < 0.6:
                await b.write_ok(reg.addr, reg.legal[1] + 1, what=f"illegal {reg.name}")
                raised |= b.err_mask(reg.name)
        if b.rng.random() < 0.7:
            await b.raise_wmem_addr()
            raised |= b.err_mask("WMEM_ADDR")
        await b.check(f"trial {trial}: ERR raised", raised, b.err)
        data, strb = int(b.rng.integers(0, 1 << 32)), int(b.rng.integers(0, 16))
        expected = rw1c_write(raised, data, strb)
        await b.write_ok(b.err, data, strb, "ERR clear")
        ok = await b.check(f"trial {trial}: ERR {raised:#x} after writing {data:#010x} "
                           f"strb {strb:04b}", expected, b.err)
        b.cover_strobe("partial_err_clear" if strb not in (0, ALL) and expected != raised
                       else "", ok)
        await b.clear_err()
    await b.check("ERR at the end", 0, b.err)
    b.finish(min_compared=20)


@cocotb.test(timeout_time=40, timeout_unit="ms")
async def byte_strobes(dut):
    """Partial-strobe writes (docs/bus.md): the strobed bytes merge into the register;
    a range-checked register checks the merged word (illegal: unchanged, ERR bit); a
    32-bit register or staging word merges bytewise; CTRL acts on byte 0 only;
    WMEM_CMD takes unstrobed bytes as 0. Expected values from model.registers."""
    b = RegisterBench(dut)
    await b.start()
    rng = b.rng
    for reg in b.map.checked():
        lo, hi = reg.legal
        current = int(rng.integers(lo, hi + 1))
        await b.write_ok(reg.addr, current, what=f"{reg.name} = {current}")
        cases = [(WORD_MASK, 0b0000)]                                   # illegal if written
        cases += [(int(rng.integers(0, 1 << 32)), 1 << lane) for lane in range(4)]
        cases += [(int(rng.integers(1, 256)) << 8, 0b0010)]             # byte 1 != 0
        cases += [(int(rng.integers(0, 1 << 32)), int(rng.integers(1, 16))) for _ in range(3)]
        for data, strb in cases:
            if strb & 1 and rng.random() < 0.6:                         # often a legal byte 0
                data = (data & ~0xFF) | (int(rng.integers(lo, hi + 1)) & 0xFF)
            expected, err = checked_write(current, data, strb, lo, hi)
            what = f"{reg.name} = {current:#x}, write {data:#010x} strb {strb:04b}"
            await b.write_ok(reg.addr, data, strb, what)
            ok = await b.check(f"{what}: read back", expected, reg.addr)
            ok &= await b.check(f"{what}: ERR", b.err_mask(reg.name) if err else 0, b.err)
            kind = ("none" if strb == 0 else "partial_illegal" if err
                    else "partial_legal" if strb != ALL else "")
            b.cover_strobe(kind, ok)
            if err:
                if ok:
                    b.cover_error(reg.name)
                await b.clear_err()
            current = expected
    for kind in ("none", "partial_legal", "partial_illegal"):
        b.sb.check(f"a range-checked write of kind {kind} was checked", True,
                   kind in b.seen_strobes)

    # Registers without a range: each stores the merged word's readable fields.
    targets = [(r.name, r.addr, r.read_mask) for r in b.plain_rw()]
    targets += [(f"staging word {a:#x}", a, WORD_MASK) for a in b.window_words(1)]
    for name, addr, mask in targets:
        value = int(rng.integers(0, 1 << 32)) & mask
        await b.write_ok(addr, value, what=name)
        for strb in [0b0000, *(1 << lane for lane in range(4)), 0b1100,
                     *(int(s) for s in rng.integers(1, 16, 3))]:
            data = int(rng.integers(0, 1 << 32))
            value = merge_strobes(value, data, strb) & mask
            await b.write_ok(addr, data, strb, name)
            ok = await b.check(f"{name} after {data:#010x} strb {strb:04b}", value, addr)
            b.cover_strobe("none" if strb == 0 else "partial_word" if mask == WORD_MASK
                           else "", ok)

    # CTRL acts on byte 0 only.
    ctrl = b.map["CTRL"]
    byte0 = ctrl.read_mask & 0xFF                 # every readable field set
    await b.write_ok(ctrl.addr, 0xFFFFFF00 | byte0, 0b0001, "CTRL byte 0")
    await b.check(f"CTRL after byte 0 = {byte0:#x}", byte0, ctrl.addr)
    await b.write_ok(ctrl.addr, 0x0000FF00, 0b0010, "CTRL byte 1")
    await b.write_ok(ctrl.addr, 0, 0b0000, "CTRL with no strobe")
    await b.check("CTRL after a byte-1 write and a write with no strobe", byte0, ctrl.addr)

    # WMEM_CMD takes unstrobed bytes as 0: with WMEM_SEL out of range, a command raises
    # WMEM_ADDR; no strobe is no command.
    sel = max(b.map.field("WMEM_SEL").enum.values()) + 1
    cmd = b.map["WMEM_CMD"]
    write_cmd = cmd.field().enum["write"]
    await b.write_ok(b.map.addr("WMEM_SEL"), sel, what="WMEM_SEL out of range")
    for data, strb, is_cmd in ((write_cmd, 0b0000, False),
                               (0xFFFFFF00 | write_cmd, 0b0001, True)):
        await b.write_ok(cmd.addr, data, strb, "WMEM_CMD")
        await b.check(f"ERR after WMEM_CMD <- {data:#010x} strb {strb:04b} with WMEM_SEL = {sel}",
                      b.err_mask("WMEM_ADDR") if is_cmd else 0, b.err)
        await b.clear_err()
    await b.check("ERR at the end", 0, b.err)
    b.finish(min_compared=100)


def _unmapped(m: RegisterMap, rng) -> list[int]:
    """Unmapped word addresses: the first and last word of every gap between registers,
    two more at random, the word after the map and the last word of the address space."""
    mapped = {a for r in m for a in r.addrs}
    end = max(r.last for r in m) + 4
    gaps, run = [], []
    for a in range(0, end, 4):
        if a in mapped:
            if run:
                gaps.append(run)
            run = []
        else:
            run.append(a)
    free = [a for g in gaps for a in g]
    picks = {a for g in gaps for a in (g[0], g[-1])}
    picks |= {int(a) for a in rng.choice(free, size=min(2, len(free)), replace=False)}
    picks |= {end, (1 << m.addr_width) - 4}
    return sorted(picks)


@cocotb.test(timeout_time=20, timeout_unit="ms")
async def unmapped_and_read_only(dut):
    """Unmapped addresses answer SLVERR to reads and to writes (with and without
    strobes); writes to read-only registers answer SLVERR and change nothing."""
    b = RegisterBench(dut)
    await b.start()
    for addr in _unmapped(b.map, b.rng):
        assert b.map.at(addr) is None
        _, resp = await b.read(addr)
        b.sb.check(f"RRESP of a read of unmapped {addr:#x}", SLVERR, resp)
        for strb in (ALL, 0b0000):
            resp = await b.write(addr, int(b.rng.integers(0, 1 << 32)), strb)
            b.sb.check(f"BRESP of a write of unmapped {addr:#x} strb {strb:04b}", SLVERR, resp)
    for reg in b.map:
        if reg.writable:
            continue
        for addr in sorted({reg.addrs[0], reg.addrs[-1]}):
            before = await b.value(addr)
            for strb in (ALL, 0b0000, int(b.rng.integers(1, 16))):
                resp = await b.write(addr, int(b.rng.integers(0, 1 << 32)), strb)
                b.sb.check(f"BRESP of a write of read-only {reg.name} ({addr:#x}) strb "
                           f"{strb:04b}", SLVERR, resp)
            await b.check(f"read-only {reg.name} ({addr:#x}) after the writes", before, addr)
    await b.check("ERR after SLVERR accesses", 0, b.err)
    b.finish(min_compared=30)


@cocotb.test(timeout_time=20, timeout_unit="ms")
async def no_strobe(dut):
    """A write with no strobe to any writable register (illegal values, WMEM_CMD with
    WMEM_SEL out of range, ERR with all ones) is acked OKAY and changes nothing."""
    b = RegisterBench(dut)
    await b.start()
    words = b.window_words(2)
    for addr in words:                                      # staging is not reset
        await b.write_ok(addr, int(b.rng.integers(0, 1 << 32)), what="staging word")
    await b.write_ok(b.map.addr("WMEM_SEL"), max(b.map.field("WMEM_SEL").enum.values()) + 1,
                     what="WMEM_SEL out of range")
    first = b.map.checked()[0]
    await b.write_ok(first.addr, first.legal[1] + 1, what=f"illegal {first.name}")
    await b.write_ok(b.map.addr("CTRL"), b.map["CTRL"].read_mask, what="CTRL")
    readable = [a for r in b.map if r.readable and r.kind != "window" for a in r.addrs] + words

    async def snapshot() -> dict[int, int]:
        return {a: await b.value(a) for a in readable}

    before = await snapshot()
    targets = [a for r in b.map if r.writable and r.kind != "window" for a in r.addrs] + words
    for addr in targets:
        reg, _ = b.map.at(addr)
        for data in (WORD_MASK, 0, int(b.rng.integers(0, 1 << 32))):
            b.cover_strobe("none", await b.write_ok(addr, data, 0b0000,
                                                   f"{reg.name} with no strobe"))
    after = await snapshot()
    for addr, value in before.items():
        reg, i = b.map.at(addr)
        name = reg.name if reg.count == 1 else f"{reg.name}[{i}]"
        b.sb.check(f"{name} after writes with no strobe", value, after[addr])
    b.sb.check("ERR holds the flag raised before the writes with no strobe",
               b.err_mask(first.name), after[b.err])
    b.finish(min_compared=30)


@cocotb.test(timeout_time=40, timeout_unit="ms")
async def outstanding(dut):
    """Writes, then reads, issued all at once (cocotbext-axi pipelines them) with random
    stalls on AW, W, AR, B and R: requests wait on the DUT's one-in-flight handshake
    (the AXIL_*_HELD covers of the host-port checker), none is lost or answered twice,
    and each register reads back its own value."""
    b = RegisterBench(dut)
    await b.start()
    master = b.tb.regs.master
    expected: dict[int, int] = {}
    for reg in b.map.checked():
        lo, hi = reg.legal
        expected[reg.addr] = int(b.rng.integers(lo, hi + 1))
    for reg in b.plain_rw():
        if reg.name != "CTRL":  # CTRL's pulses would start or reset the design
            expected[reg.addr] = int(b.rng.integers(0, 1 << 32)) & reg.read_mask
    for addr in b.window_words(4):
        expected[addr] = int(b.rng.integers(0, 1 << 32))
    order = [int(a) for a in b.rng.permutation(sorted(expected))]
    set_axil_backpressure(master, b.rng, 0.5)
    writes = [cocotb.start_soon(master.write(a, expected[a].to_bytes(4, "little")))
              for a in order]
    for addr, task in zip(order, writes):
        b.sb.check(f"BRESP of the in-flight write of {addr:#x}", OKAY, int((await task).resp))
    reads = [cocotb.start_soon(master.read(a, 4)) for a in order]
    for addr, task in zip(order, reads):
        result = await task
        b.sb.check(f"RRESP of the in-flight read of {addr:#x}", OKAY, int(result.resp))
        b.sb.check(f"register {addr:#x} read back in flight", expected[addr],
                   int.from_bytes(bytes(result.data), "little"))
    set_axil_backpressure(master, b.rng, 0)
    await b.check("ERR after the in-flight legal writes", 0, b.err)
    b.finish(min_compared=3 * len(order))


# ---- pytest ------------------------------------------------------------------------
TESTCASES = ["reset_values", "legal_writes", "illegal_values", "err_rw1c", "byte_strobes",
             "unmapped_and_read_only", "no_strobe", "outstanding"]


@pytest.mark.parametrize("design", list(DESIGNS))
def test_registers(cocotb_run, simulator, design):
    top, parameters = DESIGNS[design]
    cocotb_run(top, __name__, parameters=parameters or None, testcase=TESTCASES,
               settings=RegisterSettings(design=design))
