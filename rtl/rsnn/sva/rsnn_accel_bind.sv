// Checkers of the rsnn_accel top level (rtl/rsnn/rsnn_accel.v): its host ports (the
// AXI4-Lite master's rules, the input stream's master rules, the output streams'
// framing: 49 beats of scores, 2 or 4 spike-tap beats) and the sender/controller
// consistency. The blocks inside bind their own checkers.
bind rsnn_accel axil_checker #(.ADDR_W(16), .CHECK_SLAVE(0), .CHECK_MASTER(1)) u_sva_host_axil (
    .clk(clk), .rst_n(rst_n),
    .awaddr(s_axil_awaddr), .awprot(s_axil_awprot), .awvalid(s_axil_awvalid),
    .awready(s_axil_awready), .wdata(s_axil_wdata), .wstrb(s_axil_wstrb),
    .wvalid(s_axil_wvalid), .wready(s_axil_wready), .bresp(s_axil_bresp),
    .bvalid(s_axil_bvalid), .bready(s_axil_bready), .araddr(s_axil_araddr),
    .arprot(s_axil_arprot), .arvalid(s_axil_arvalid), .arready(s_axil_arready),
    .rdata(s_axil_rdata), .rresp(s_axil_rresp), .rvalid(s_axil_rvalid),
    .rready(s_axil_rready));

bind rsnn_accel axis_checker #(.DATA_W(32), .USER_W(1)) u_sva_host_in (
    .clk(clk), .rst_n(rst_n), .tdata(s_axis_tdata), .tvalid(s_axis_tvalid),
    .tready(s_axis_tready), .tlast(s_axis_tlast), .tuser(s_axis_tuser),
    .len_a(16'd0), .len_b(16'd0));

bind rsnn_accel axis_checker #(.DATA_W(32), .USER_W(1)) u_sva_host_out (
    .clk(clk), .rst_n(rst_n), .tdata(m_axis_tdata), .tvalid(m_axis_tvalid),
    .tready(m_axis_tready), .tlast(m_axis_tlast), .tuser(1'b0),
    .len_a(16'd49), .len_b(16'd49));

bind rsnn_accel axis_checker #(.DATA_W(128), .USER_W(1)) u_sva_host_spk (
    .clk(clk), .rst_n(rst_n), .tdata(m_axis_spk_tdata), .tvalid(m_axis_spk_tvalid),
    .tready(m_axis_spk_tready), .tlast(m_axis_spk_tlast), .tuser(1'b0),
    .len_a(16'd2), .len_b(16'd4));

bind rsnn_accel rsnn_accel_checker u_sva_top (
    .clk(clk), .rst_n(rst_n), .ctrl_state(u_ctrl.state), .tx_active(u_tx.active),
    .busy(busy), .compute(compute));
