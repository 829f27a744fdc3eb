"""Register maps of both designs as data: a small read-only API over the generated maps.

``model/regmap/rsnn.py`` and ``model/regmap/qclif.py`` are generated from
``regs/<design>.hjson`` by ``spikedv regs --write`` (regs/regtool.py) and hold one plain
dict, ``REGMAP``; this module (hand-written) wraps it:

    from model.regmap import RSNN, QCLIF, regmap
    RSNN.addr("T")                        # 0x010
    RSNN.addr("COUNTERS", 3)              # word 3 of a multireg or window
    RSNN["CTRL"].field("ENABLE").mask     # 0x1 (also .lsb, .width, .msb, .resval)
    RSNN.legal_ranges()                   # {"T": (1, 2), "s_in": (0, 7), ...} by model name
    RSNN.err_bit("s_in")                  # ERR bit of a register (model or register
    RSNN.err_bit("PKT_LEN")               # name) or of an ERR field
    RSNN["WMEM_SEL"].field().enum         # {"win": 0, "wrec_bank0": 1, ...}
    QCLIF["N_NEURONS"].reset({"N": 20})   # reset word; parameters where a reset is one

Access (OpenTitan's ``swaccess``): ``ro`` read-only (a write answers SLVERR), ``rw``,
``wo`` (a register: a read answers SLVERR; a field of a readable register: reads 0),
``rw1c`` (write 1 to clear). A range-checked register has one field at bit 0 with a
``legal`` range that the whole written word must lie in, and ``model``, its name in
the model's register dataclass (model.rsnn.RsnnConfig, model.qclif.QclifRegs); its ERR
bit is the field of ``ERR`` with the register's name.

Floor 1 (docs/architecture.md): imports nothing but the generated data beside it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

SWACCESS = ("ro", "rw", "wo", "rw1c")
READABLE = ("ro", "rw", "rw1c")
WRITABLE = ("rw", "wo", "rw1c")
KINDS = ("reg", "multireg", "window")
WORD_BYTES = 4


@dataclass(frozen=True)
class Field:
    name: str
    lsb: int
    width: int
    swaccess: str
    resval: int | str | None   # a number, a parameter name, or None (not reset / wo)
    legal: tuple[int, int] | None
    model: str | None
    enum: Mapping[str, int]
    desc: str

    @property
    def msb(self) -> int:
        return self.lsb + self.width - 1

    @property
    def mask(self) -> int:
        return ((1 << self.width) - 1) << self.lsb

    @property
    def readable(self) -> bool:
        return self.swaccess in READABLE

    def get(self, word: int) -> int:
        """This field's value in a register word."""
        return (int(word) >> self.lsb) & ((1 << self.width) - 1)

    def put(self, value: int) -> int:
        """``value`` at this field's place in a word (bits beyond the field dropped)."""
        return (int(value) << self.lsb) & self.mask

    def reset(self, params: Mapping[str, int] | None = None) -> int | None:
        """Reset value; a parameter-valued one from ``params`` (KeyError if absent)."""
        if isinstance(self.resval, str):
            return int((params or {})[self.resval])
        return self.resval

    @classmethod
    def from_dict(cls, d: dict) -> "Field":
        legal = d.get("legal")
        enum = d.get("enum") or {}
        if not isinstance(enum, dict):   # the generated form: [{name, value, desc}, ...]
            enum = {e["name"]: e["value"] for e in enum}
        return cls(name=d["name"], lsb=d["lsb"], width=d["width"], swaccess=d["swaccess"],
                   resval=d.get("resval"), legal=None if legal is None else tuple(legal),
                   model=d.get("model"), enum=enum, desc=d.get("desc", ""))


@dataclass(frozen=True)
class Register:
    name: str
    kind: str                  # "reg", "multireg" (count words of the same fields), "window"
    offset: int                # byte address of the (first) word
    count: int                 # words: 1 for a plain register
    swaccess: str
    desc: str
    fields: tuple[Field, ...]
    names: tuple[str, ...]     # a multireg's name of each word (may be empty)

    @property
    def addr(self) -> int:
        return self.offset

    @property
    def last(self) -> int:
        """Byte address of the last word."""
        return self.offset + WORD_BYTES * (self.count - 1)

    @property
    def addrs(self) -> tuple[int, ...]:
        return tuple(self.offset + WORD_BYTES * i for i in range(self.count))

    def word(self, index: int | str) -> int:
        """Address of word ``index`` (a number, or a multireg's word name)."""
        if isinstance(index, str):
            index = self.names.index(index)
        if not 0 <= index < self.count:
            raise IndexError(f"{self.name}: word {index} outside 0..{self.count - 1}")
        return self.offset + WORD_BYTES * index

    def field(self, name: str | None = None) -> Field:
        """The field ``name``; without a name, the only field."""
        if name is None:
            if len(self.fields) != 1:
                raise KeyError(f"{self.name} has {len(self.fields)} fields; name one")
            return self.fields[0]
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name}")

    @property
    def readable(self) -> bool:
        """A read answers OKAY (a wo register's answers SLVERR)."""
        return self.swaccess in READABLE

    @property
    def writable(self) -> bool:
        """A write answers OKAY (an ro register's answers SLVERR)."""
        return self.swaccess in WRITABLE

    @property
    def read_mask(self) -> int:
        """Bits that read back what is stored (wo fields and undefined bits read 0)."""
        return sum(f.mask for f in self.fields if f.readable)

    @property
    def legal_field(self) -> Field | None:
        return next((f for f in self.fields if f.legal is not None), None)

    @property
    def legal(self) -> tuple[int, int] | None:
        """Legal range of the written word of a range-checked register, else None."""
        f = self.legal_field
        return None if f is None else f.legal

    def reset(self, params: Mapping[str, int] | None = None) -> int | None:
        """The word read after reset (readable fields only); None where a field has no
        reset value (a window, a wo register)."""
        if not self.readable or self.kind == "window":
            return None
        word = 0
        for f in self.fields:
            if not f.readable:
                continue
            value = f.reset(params)
            if value is None:
                return None
            word |= f.put(value)
        return word

    @classmethod
    def from_dict(cls, d: dict) -> "Register":
        return cls(name=d["name"], kind=d["kind"], offset=d["offset"], count=d["count"],
                   swaccess=d["swaccess"], desc=d.get("desc", ""),
                   fields=tuple(Field.from_dict(f) for f in d["fields"]),
                   names=tuple(d.get("names") or ()))


@dataclass(frozen=True)
class RegisterMap:
    name: str
    desc: str
    regwidth: int
    addr_width: int
    params: Mapping[str, int]   # parameter name -> default
    registers: tuple[Register, ...]

    @classmethod
    def from_dict(cls, d: dict) -> "RegisterMap":
        return cls(name=d["name"], desc=d.get("desc", ""), regwidth=d["regwidth"],
                   addr_width=d["addr_width"],
                   params={p["name"]: p["default"] for p in d.get("params", ())},
                   registers=tuple(Register.from_dict(r) for r in d["registers"]))

    def __getitem__(self, name: str) -> Register:
        for r in self.registers:
            if r.name == name:
                return r
        raise KeyError(f"{self.name} register map has no register {name}")

    def __contains__(self, name: str) -> bool:
        return any(r.name == name for r in self.registers)

    def __iter__(self):
        return iter(self.registers)

    def addr(self, name: str, index: int | str = 0) -> int:
        """Byte address of register ``name`` (word ``index`` of a multireg or window)."""
        return self[name].word(index)

    def field(self, register: str, field: str | None = None) -> Field:
        return self[register].field(field)

    def at(self, addr: int) -> tuple[Register, int] | None:
        """The register that holds byte address ``addr`` (word aligned) and the word's
        index in it, or None for an unmapped address."""
        for r in self.registers:
            if r.offset <= addr <= r.last and (addr - r.offset) % WORD_BYTES == 0:
                return r, (addr - r.offset) // WORD_BYTES
        return None

    def checked(self) -> tuple[Register, ...]:
        """The range-checked registers, in address order."""
        return tuple(r for r in self.registers if r.legal is not None)

    def legal_ranges(self) -> dict[str, tuple[int, int]]:
        """Model name -> (lowest, highest) legal value of every range-checked register."""
        return {r.legal_field.model: r.legal for r in self.checked()}

    def model_addrs(self) -> dict[str, int]:
        """Model name -> address of every range-checked register."""
        return {r.legal_field.model: r.addr for r in self.checked()}

    def by_model(self, model_name: str) -> Register:
        for r in self.checked():
            if r.legal_field.model == model_name:
                return r
        raise KeyError(f"{self.name} register map has no register for model {model_name}")

    def err_bit(self, name: str) -> int:
        """Bit of ERR for ``name``: an ERR field, or a range-checked register by its
        register or model name."""
        err = self["ERR"]
        if name not in {f.name for f in err.fields}:
            name = self.by_model(name).name
        return err.field(name).lsb

    def err_mask(self, *names: str) -> int:
        return sum(1 << self.err_bit(n) for n in names)

    def err_bits(self) -> dict[str, int]:
        """Every ERR bit by its coverage name: the model name of a range-checked
        register's bit, the field name of the others."""
        models = {r.name: r.legal_field.model for r in self.checked()}
        return {models.get(f.name, f.name): f.lsb for f in self["ERR"].fields}

    def resets(self, params: Mapping[str, int] | None = None) -> dict[int, int]:
        """Address -> word read after reset, for every readable word that has one."""
        out = {}
        for r in self.registers:
            value = r.reset({**self.params, **(params or {})}) if r.readable else None
            if value is not None:
                for a in r.addrs:
                    out[a] = value
        return out


_MAPS: dict[str, RegisterMap] = {}
_DESIGNS = ("rsnn", "qclif")


def regmap(design: str) -> RegisterMap:
    """The register map of ``design`` ("rsnn" or "qclif"), from its generated data
    (imported on first use, so that regs/regtool.py can use the classes above while the
    data is being regenerated)."""
    if design not in _DESIGNS:
        raise KeyError(f"no register map {design!r}; known: {list(_DESIGNS)}")
    if design not in _MAPS:
        import importlib
        data = importlib.import_module(f"model.regmap.{design}").REGMAP
        _MAPS[design] = RegisterMap.from_dict(data)
    return _MAPS[design]


def __getattr__(name: str) -> RegisterMap:
    """``RSNN`` and ``QCLIF``: the two maps, loaded on first use."""
    if name.lower() in _DESIGNS and name.isupper():
        return regmap(name.lower())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
