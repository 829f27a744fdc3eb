// qclif_csa_tree: every source file it needs, paths relative to this file (verilator -F)
qclif_csa_tree.v
