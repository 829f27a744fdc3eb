// sram_sp: every source file it needs, paths relative to this file (verilator -F)
sram_sp.v
