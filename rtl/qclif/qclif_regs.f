// qclif_regs: every source file it needs, paths relative to this file (verilator -F)
+incdir+.
qclif_reg_view.v
qclif_regs.v
../common/strobe_merge.v
