// Input packet framing of rsnn_in_rx (rtl/rsnn/rsnn_in_rx.v), reached from its scope.
bind rsnn_in_rx rsnn_in_rx_checker u_sva_rx (
    .clk(clk), .rst_n(rst_n), .s_tvalid(s_tvalid), .s_tready(s_tready),
    .s_tlast(s_tlast), .beat(beat), .frame_valid(frame_valid),
    .frame_take(frame_take), .err_len(err_len));
