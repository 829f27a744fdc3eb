// Output streams of rsnn_out_tx (rtl/rsnn/rsnn_out_tx.v), where they leave the core
// (before their axis_skid): scores 49 beats per frame, spike tap 2T beats (T of the
// frame, held while it is sent); AXI4-Stream rules with exact framing.
bind rsnn_out_tx axis_checker #(.DATA_W(32), .USER_W(1)) u_sva_out (
    .clk(clk), .rst_n(rst_n), .tdata(out_tdata), .tvalid(out_tvalid),
    .tready(out_tready), .tlast(out_tlast), .tuser(1'b0),
    .len_a(16'd49), .len_b(16'd49));

bind rsnn_out_tx axis_checker #(.DATA_W(128), .USER_W(1)) u_sva_spk (
    .clk(clk), .rst_n(rst_n), .tdata(spk_tdata), .tvalid(spk_tvalid),
    .tready(spk_tready), .tlast(spk_tlast), .tuser(1'b0),
    .len_a(t2 ? 16'd4 : 16'd2), .len_b(t2 ? 16'd4 : 16'd2));
