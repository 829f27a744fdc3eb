// strobe_merge: every source file it needs, paths relative to this file (verilator -F)
strobe_merge.v
