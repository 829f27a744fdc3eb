// Datapath invariants of rsnn_state (rtl/rsnn/rsnn_state.v), reached from its scope.
bind rsnn_state rsnn_state_checker #(.LANES(128), .ACC0_W(ACC0_W), .ACC1_W(ACC1_W)) u_sva_state (
    .clk(clk), .rst_n(rst_n), .acc_clear(acc_clear),
    .pe0_en(pe0_en), .pe0_shift(pe0_shift), .pe0_row(pe0_row),
    .pe1_en(pe1_en), .pe1_shift(pe1_shift), .pe1_row(pe1_row),
    .acc0(acc0), .acc1(acc1), .cur_use_acc0(cur_use_acc0), .cur_use_acc1(cur_use_acc1),
    .lif_en(lif_en), .lif_layer(lif_layer), .lif_step(lif_step), .lif_b(lif_b),
    .lif_theta(lif_theta), .u0(u0), .u1(u1), .current(current), .u_new(u_new),
    .lif_spikes(lif_spikes), .s0k0(s0k0), .s0k1(s0k1), .s1k0(s1k0), .s1k1(s1k1));
