// Invariants of rsnn_ctrl (rtl/rsnn/rsnn_ctrl.v), reached from its own scope.
bind rsnn_ctrl rsnn_ctrl_checker u_sva_ctrl (
    .clk(clk), .rst_n(rst_n), .state(state), .step(step), .t2(t2), .compute(compute),
    .lif_en(lif_en), .l_walk_done(l_walk_done),
    .a_done(a_done), .b0_done(b0_done), .b1_done(b1_done), .d0_done(d0_done),
    .d1_done(d1_done), .c_done(c_done),
    .mem_reads(win_en || wrec0_en || wrec1_en || wfc0_en || wfc1_en),
    .pe_ops(pe0_en || pe1_en),
    .c_in(c_in), .c_l0(c_l0), .c_l1(c_l1), .c_fc(c_fc), .c_total(c_total),
    .r_win(r_win), .r_wrec(r_wrec), .r_wfc(r_wfc),
    .utt_reset(utt_reset), .utt_pending(utt_pending), .frame_utt(frame_utt));
