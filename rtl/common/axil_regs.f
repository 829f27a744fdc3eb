// axil_regs: every source file it needs, paths relative to this file (verilator -F)
axil_regs.v
