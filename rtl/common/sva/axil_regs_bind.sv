// Checkers of axil_regs (rtl/common/axil_regs.v): the AXI4-Lite slave's rules on its
// host port and the register-side request handshake. The master's rules (the
// testbench's) are checked on the design tops' host ports (rsnn_accel_bind.sv,
// qclif_network_bind.sv): the block test of axil_regs breaks them on purpose.
bind axil_regs axil_checker #(.ADDR_W(ADDR_W), .CHECK_SLAVE(1), .CHECK_MASTER(0)) u_sva_axil (
    .clk(clk), .rst_n(rst_n),
    .awaddr(s_axil_awaddr), .awprot(s_axil_awprot), .awvalid(s_axil_awvalid),
    .awready(s_axil_awready), .wdata(s_axil_wdata), .wstrb(s_axil_wstrb),
    .wvalid(s_axil_wvalid), .wready(s_axil_wready), .bresp(s_axil_bresp),
    .bvalid(s_axil_bvalid), .bready(s_axil_bready), .araddr(s_axil_araddr),
    .arprot(s_axil_arprot), .arvalid(s_axil_arvalid), .arready(s_axil_arready),
    .rdata(s_axil_rdata), .rresp(s_axil_rresp), .rvalid(s_axil_rvalid),
    .rready(s_axil_rready));

bind axil_regs reg_bus_checker #(.ADDR_W(ADDR_W)) u_sva_reg_bus (
    .clk(clk), .rst_n(rst_n),
    .wr_req(reg_wr_req), .wr_addr(reg_wr_addr), .wr_data(reg_wr_data),
    .wr_strb(reg_wr_strb), .wr_ack(reg_wr_ack),
    .rd_req(reg_rd_req), .rd_addr(reg_rd_addr), .rd_ack(reg_rd_ack));
