// Proof of rtl/common/axil_regs.v (docs/bus.md "axil_regs") against the protocol
// checkers of rtl/common/sva/: for every input sequence in which the AXI4-Lite master
// keeps its rules (assumed, axil_checker ASSUME_MASTER) and with any register-side
// acks, errors and read data, resets at any time included:
// - the slave keeps the AXI4-Lite rules (axil_checker, asserted): B and R held until
//   taken, no response without a request and never two for one;
// - the register-side handshake keeps its rules (reg_bus_checker, asserted);
// - each acknowledged register write is answered by exactly one B in the next cycle,
//   SLVERR where the design flagged an error; each acknowledged read by one R carrying
//   the design's data and response.
module axil_regs_fv #(
    parameter integer ADDR_W = 8
) (
    input wire              clk,
    input wire              rst_n,
    input wire [ADDR_W-1:0] awaddr,
    input wire [2:0]        awprot,
    input wire              awvalid,
    input wire [31:0]       wdata,
    input wire [3:0]        wstrb,
    input wire              wvalid,
    input wire              bready,
    input wire [ADDR_W-1:0] araddr,
    input wire [2:0]        arprot,
    input wire              arvalid,
    input wire              rready,
    input wire              reg_wr_ack,
    input wire              reg_wr_err,
    input wire              reg_rd_ack,
    input wire [31:0]       reg_rd_data,
    input wire              reg_rd_err
);
    wire              awready, wready, bvalid, arready, rvalid, reg_wr_req, reg_rd_req;
    wire [1:0]        bresp, rresp;
    wire [31:0]       rdata, reg_wr_data;
    wire [ADDR_W-1:0] reg_wr_addr, reg_rd_addr;
    wire [3:0]        reg_wr_strb;
    axil_regs #(.ADDR_W(ADDR_W)) dut (
        .clk(clk), .rst_n(rst_n),
        .s_axil_awaddr(awaddr), .s_axil_awprot(awprot), .s_axil_awvalid(awvalid),
        .s_axil_awready(awready), .s_axil_wdata(wdata), .s_axil_wstrb(wstrb),
        .s_axil_wvalid(wvalid), .s_axil_wready(wready), .s_axil_bresp(bresp),
        .s_axil_bvalid(bvalid), .s_axil_bready(bready), .s_axil_araddr(araddr),
        .s_axil_arprot(arprot), .s_axil_arvalid(arvalid), .s_axil_arready(arready),
        .s_axil_rdata(rdata), .s_axil_rresp(rresp), .s_axil_rvalid(rvalid),
        .s_axil_rready(rready),
        .reg_wr_req(reg_wr_req), .reg_wr_addr(reg_wr_addr), .reg_wr_data(reg_wr_data),
        .reg_wr_strb(reg_wr_strb), .reg_wr_ack(reg_wr_ack), .reg_wr_err(reg_wr_err),
        .reg_rd_req(reg_rd_req), .reg_rd_addr(reg_rd_addr), .reg_rd_ack(reg_rd_ack),
        .reg_rd_data(reg_rd_data), .reg_rd_err(reg_rd_err));

    axil_checker #(.ADDR_W(ADDR_W), .CHECK_SLAVE(1), .ASSUME_MASTER(1)) protocol (
        .clk(clk), .rst_n(rst_n),
        .awaddr(awaddr), .awprot(awprot), .awvalid(awvalid), .awready(awready),
        .wdata(wdata), .wstrb(wstrb), .wvalid(wvalid), .wready(wready),
        .bresp(bresp), .bvalid(bvalid), .bready(bready),
        .araddr(araddr), .arprot(arprot), .arvalid(arvalid), .arready(arready),
        .rdata(rdata), .rresp(rresp), .rvalid(rvalid), .rready(rready));
    reg_bus_checker #(.ADDR_W(ADDR_W)) reg_bus (
        .clk(clk), .rst_n(rst_n),
        .wr_req(reg_wr_req), .wr_addr(reg_wr_addr), .wr_data(reg_wr_data),
        .wr_strb(reg_wr_strb), .wr_ack(reg_wr_ack),
        .rd_req(reg_rd_req), .rd_addr(reg_rd_addr), .rd_ack(reg_rd_ack));

    // The first cycle is a reset cycle.
    reg init;
    initial init = 1'b1;
    always @(posedge clk) init <= 1'b0;
    always @* if (init) assume (!rst_n);

    reg        p_rst_n, p_wr_done, p_wr_err, p_rd_done, p_rd_err, p_bvalid, p_rvalid;
    reg        p_bready, p_rready;
    reg [31:0] p_rd_data;
    always @(posedge clk) begin
        p_rst_n   <= rst_n;
        p_wr_done <= reg_wr_req && reg_wr_ack;
        p_wr_err  <= reg_wr_err;
        p_rd_done <= reg_rd_req && reg_rd_ack;
        p_rd_err  <= reg_rd_err;
        p_rd_data <= reg_rd_data;
        p_bvalid  <= bvalid;
        p_bready  <= bready;
        p_rvalid  <= rvalid;
        p_rready  <= rready;
    end

    always @* begin
        if (!init && rst_n && p_rst_n) begin
            // A register write acknowledged in one cycle is answered on B in the next,
            // SLVERR where the design flagged it.
            if (p_wr_done) FV_B_AFTER_ACK: assert (bvalid && bresp == (p_wr_err ? 2'b10 : 2'b00));
            // A new B (not one still waiting for BREADY) only after an acknowledged write.
            if (bvalid && !(p_bvalid && !p_bready)) FV_B_ONLY_AFTER_ACK: assert (p_wr_done);
            // The same for reads, with the design's read data.
            if (p_rd_done) FV_R_AFTER_ACK: assert (rvalid && rdata == p_rd_data
                                                   && rresp == (p_rd_err ? 2'b10 : 2'b00));
            if (rvalid && !(p_rvalid && !p_rready)) FV_R_ONLY_AFTER_ACK: assert (p_rd_done);
        end
    end
endmodule
