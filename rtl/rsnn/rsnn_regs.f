// rsnn_regs: every source file it needs, paths relative to this file (verilator -F)
+incdir+.
rsnn_reg_view.v
rsnn_regs.v
../common/strobe_merge.v
