// Invariants of qclif_ctrl (rtl/qclif/qclif_ctrl.v), reached from its own scope.
bind qclif_ctrl qclif_ctrl_checker #(.N(N), .NP(NP), .ROW_W(ROW_W)) u_sva_ctrl (
    .clk(clk), .rst_n(rst_n), .state(state), .k(k), .step(step), .step_row(step_row),
    .mem_en(mem_en), .ctx_load(ctx_load), .out_valid(out_valid), .spk_phase(spk_phase),
    .out_idx(out_idx), .cyc_cnt(cyc_cnt), .spk_cnt(spk_cnt), .prev_pop(prev_pop),
    .sample_bins(sample_bins));
