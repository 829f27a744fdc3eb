// Datapath invariants of qclif_unit (rtl/qclif/qclif_unit.v), reached from its scope.
bind qclif_unit qclif_unit_checker u_sva_unit (
    .clk(clk), .step(step), .va(va_cur), .v(v_cur), .la(la), .ls(ls), .theta(theta),
    .sd(sd), .i_s(u_datapath.i_s), .i_a(u_datapath.i_a), .va_next(va_next),
    .g(u_datapath.g), .d(u_datapath.d), .v_soma(u_datapath.v_soma), .v_next(v_next),
    .spike(spike));
