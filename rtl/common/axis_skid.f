// axis_skid: every source file it needs, paths relative to this file (verilator -F)
axis_skid.v
