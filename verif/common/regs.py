"""Register access by name over AXI4-Lite, with a shadow of what the registers hold.

    regs = RegisterAgent(make_axil_master(dut), RSNN, params={"N": 20})
    await regs.write("T", 2)                      # by name (word 0)
    await regs.write("COUNTERS", 0, index="cyc_total", expect_error=True)
    value = await regs.read("ERR")
    regs.shadow("T")                              # what T holds now, by the map's rules
    regs.subscribe(lambda access: ...)            # every access, as a RegAccess

The shadow follows the register map (model.regmap) and the write rules of
model.registers: a write merges its strobed bytes, a range-checked register keeps its
value when the merged word is illegal, write-only fields (a pulse such as
CTRL.UTT_RESET) are not held, and a reset restores the reset values. The predictors read
their configuration from it; nothing here is taken from the DUT.
"""
from __future__ import annotations

from dataclasses import dataclass

from cocotbext.axi import AxiLiteMaster, AxiResp

from model.regmap import WORD_BYTES, RegisterMap
from model.registers import checked_write, merge_strobes
from verif.common.components import Publisher

FULL_STROBE = (1 << WORD_BYTES) - 1


@dataclass(frozen=True)
class RegAccess:
    kind: str            # "write" | "read"
    register: str        # name in the map ("" for an unmapped address)
    index: int           # word of a multireg or window
    addr: int
    value: int           # write: the data word sent; read: the word returned
    strb: int            # write strobes (reads: all)
    ok: bool             # response OKAY (False: SLVERR)


class RegisterAgent(Publisher[RegAccess]):
    def __init__(self, master: AxiLiteMaster, regmap: RegisterMap, params=None):
        super().__init__()
        self.master = master
        self.map = regmap
        self.params = {**regmap.params, **(params or {})}
        self._shadow: dict[int, int] = {}
        self.reset_shadow()

    # ---- shadow ----
    def reset_shadow(self) -> None:
        """Registers after reset (call at every reset)."""
        self._shadow = dict(self.map.resets(self.params))

    def shadow(self, name: str, index: int | str = 0) -> int:
        """The word register ``name`` holds, by the map's rules."""
        return self._shadow[self.map.addr(name, index)]

    def shadow_model(self, model_name: str) -> int:
        """A range-checked register by its model name (``"T"``, ``"theta0"``, ...)."""
        return self._shadow[self.map.by_model(model_name).addr]

    def _apply_write(self, addr: int, data: int, strb: int) -> None:
        found = self.map.at(addr)
        if found is None or strb == 0:
            return
        reg, _ = found
        if not reg.writable or reg.swaccess == "rw1c":   # ERR is set by the hardware
            return
        current = self._shadow.get(addr, 0)
        if reg.legal is not None:
            lo, hi = reg.legal
            value, _ = checked_write(current, data, strb, lo, hi)
        else:
            value = merge_strobes(current, data, strb)
        self._shadow[addr] = value & reg.read_mask if reg.readable else value

    # ---- bus ----
    def _addr(self, name_or_addr: str | int, index: int | str) -> tuple[int, str, int]:
        if isinstance(name_or_addr, int):
            found = self.map.at(name_or_addr)
            return name_or_addr, (found[0].name if found else ""), (found[1] if found else 0)
        reg = self.map[name_or_addr]
        word = reg.word(index)
        return word, reg.name, (word - reg.offset) // WORD_BYTES

    async def write(self, name_or_addr: str | int, value: int, *, index: int | str = 0,
                    strb: int = FULL_STROBE, expect_error: bool = False) -> None:
        """Write a register word (partial strobes allowed); asserts the response."""
        addr, name, word = self._addr(name_or_addr, index)
        data = int(value) & 0xFFFFFFFF
        if strb == FULL_STROBE:
            result = await self.master.write(addr, data.to_bytes(WORD_BYTES, "little"))
        else:
            lo = (strb & -strb).bit_length() - 1
            hi = strb.bit_length()
            if strb != ((1 << hi) - 1) ^ ((1 << lo) - 1):
                raise ValueError(f"strobes {strb:#x} are not contiguous")
            chunk = data.to_bytes(WORD_BYTES, "little")[lo:hi]
            result = await self.master.write(addr + lo, chunk)
        ok = result.resp == AxiResp.OKAY
        self._check(f"write of {name or hex(addr)}", addr, result.resp, expect_error)
        if ok:
            self._apply_write(addr, data, strb)
        self.publish(RegAccess("write", name, word, addr, data, strb, ok))

    async def read(self, name_or_addr: str | int, *, index: int | str = 0,
                   expect_error: bool = False) -> int:
        """Read a register word as an unsigned int; asserts the response."""
        addr, name, word = self._addr(name_or_addr, index)
        result = await self.master.read(addr, WORD_BYTES)
        self._check(f"read of {name or hex(addr)}", addr, result.resp, expect_error)
        value = int.from_bytes(result.data, "little")
        self.publish(RegAccess("read", name, word, addr, value, FULL_STROBE,
                               result.resp == AxiResp.OKAY))
        return value

    @staticmethod
    def _check(what: str, addr: int, resp, expect_error: bool) -> None:
        expected = AxiResp.SLVERR if expect_error else AxiResp.OKAY
        if resp != expected:
            raise AssertionError(f"AXI-Lite {what} (0x{addr:04x}): response "
                                 f"{AxiResp(resp).name}, expected {expected.name}")
