// Checkers of the qclif_network top level (rtl/qclif/qclif_network.v): the host ports'
// master rules (AXI4-Lite, input stream) and the output stream's framing: a packet of
// spike beats (TUSER = 1) is ceil(N/32) beats, a packet of scores (TUSER = 0) 12 beats,
// TUSER the same on every beat of a packet. The blocks inside bind their own checkers.
bind qclif_network axil_checker #(.ADDR_W(12), .CHECK_SLAVE(0), .CHECK_MASTER(1)) u_sva_host_axil (
    .clk(clk), .rst_n(rst_n),
    .awaddr(s_axil_awaddr), .awprot(s_axil_awprot), .awvalid(s_axil_awvalid),
    .awready(s_axil_awready), .wdata(s_axil_wdata), .wstrb(s_axil_wstrb),
    .wvalid(s_axil_wvalid), .wready(s_axil_wready), .bresp(s_axil_bresp),
    .bvalid(s_axil_bvalid), .bready(s_axil_bready), .araddr(s_axil_araddr),
    .arprot(s_axil_arprot), .arvalid(s_axil_arvalid), .arready(s_axil_arready),
    .rdata(s_axil_rdata), .rresp(s_axil_rresp), .rvalid(s_axil_rvalid),
    .rready(s_axil_rready));

bind qclif_network axis_checker #(.DATA_W(200), .USER_W(1)) u_sva_host_in (
    .clk(clk), .rst_n(rst_n), .tdata(s_axis_tdata), .tvalid(s_axis_tvalid),
    .tready(s_axis_tready), .tlast(s_axis_tlast), .tuser(1'b0),
    .len_a(16'd0), .len_b(16'd0));

bind qclif_network axis_checker #(.DATA_W(32), .USER_W(1), .USER_PACKET(1)) u_sva_host_out (
    .clk(clk), .rst_n(rst_n), .tdata(m_axis_tdata), .tvalid(m_axis_tvalid),
    .tready(m_axis_tready), .tlast(m_axis_tlast), .tuser(m_axis_tuser),
    .len_a(m_axis_tuser[0] ? (16'(N) + 16'd31) / 16'd32 : 16'd12),
    .len_b(m_axis_tuser[0] ? (16'(N) + 16'd31) / 16'd32 : 16'd12));
