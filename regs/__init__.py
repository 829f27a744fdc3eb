"""Register maps as data: ``regs/<design>.hjson`` and the tool that checks them and
generates what is made from them (regs/regtool.py; floor 2 of docs/architecture.md)."""
