// AXI4-Lite slave (32-bit data) -> register-bus handshake, so a design only decodes
// addresses. Writes and reads are independent channels: one write and one read can be
// in flight at once and the design may serve both in the same cycle.
//
// Write: AW and W are each captured in a holding register (either order or together).
// Once both are held and no B response is waiting, reg_wr_req rises and holds addr,
// data and strb stable until the cycle the design raises reg_wr_ack (same cycle or
// later); reg_wr_err in that cycle selects BRESP = SLVERR. B is then held until bready.
// Read: the same with AR -> reg_rd_req; reg_rd_data and reg_rd_err are sampled only in
// the reg_rd_ack cycle (a memory with one cycle of read latency acks one cycle after
// req) and held on R until rready.
// Every AXI output is a flop and the reg_* requests are decoded from flops only, so no
// valid or ack input reaches any output combinationally.
module axil_regs #(
    parameter integer ADDR_W = 16
) (
    input  wire              clk,
    input  wire              rst_n,

    // PROT and the byte offset (addr[1:0]) are not decoded: every access is granted and
    // registers are word-wide; the bits exist for a complete AXI4-Lite interface.
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [ADDR_W-1:0] s_axil_awaddr,
    input  wire [2:0]        s_axil_awprot,
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire              s_axil_awvalid,
    output wire              s_axil_awready,
    input  wire [31:0]       s_axil_wdata,
    input  wire [3:0]        s_axil_wstrb,
    input  wire              s_axil_wvalid,
    output wire              s_axil_wready,
    output reg  [1:0]        s_axil_bresp,
    output reg               s_axil_bvalid,
    input  wire              s_axil_bready,
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [ADDR_W-1:0] s_axil_araddr,
    input  wire [2:0]        s_axil_arprot,
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire              s_axil_arvalid,
    output wire              s_axil_arready,
    output reg  [31:0]       s_axil_rdata,
    output reg  [1:0]        s_axil_rresp,
    output reg               s_axil_rvalid,
    input  wire              s_axil_rready,

    output wire              reg_wr_req,
    output wire [ADDR_W-1:0] reg_wr_addr,
    output wire [31:0]       reg_wr_data,
    output wire [3:0]        reg_wr_strb,
    input  wire              reg_wr_ack,
    input  wire              reg_wr_err,

    output wire              reg_rd_req,
    output wire [ADDR_W-1:0] reg_rd_addr,
    input  wire              reg_rd_ack,
    input  wire [31:0]       reg_rd_data,
    input  wire              reg_rd_err
);
    localparam [1:0] RESP_OKAY   = 2'b00;
    localparam [1:0] RESP_SLVERR = 2'b10;

    // ---- write channel ----
    reg              aw_held;
    reg [ADDR_W-3:0] aw_word;  // word address; the byte offset is dropped
    reg              w_held;
    reg [31:0]       w_data;
    reg [3:0]        w_strb;

    wire aw_fire = s_axil_awvalid && !aw_held;
    wire w_fire  = s_axil_wvalid && !w_held;
    wire wr_done = reg_wr_req && reg_wr_ack;

    always @(posedge clk) begin
        if (!rst_n) begin
            aw_held       <= 1'b0;
            w_held        <= 1'b0;
            s_axil_bvalid <= 1'b0;
            s_axil_bresp  <= RESP_OKAY;
        end else begin
            if (aw_fire) begin
                aw_held <= 1'b1;
                aw_word <= s_axil_awaddr[ADDR_W-1:2];
            end else if (wr_done) begin
                aw_held <= 1'b0;
            end
            if (w_fire) begin
                w_held <= 1'b1;
                w_data <= s_axil_wdata;
                w_strb <= s_axil_wstrb;
            end else if (wr_done) begin
                w_held <= 1'b0;
            end
            if (wr_done) begin
                s_axil_bvalid <= 1'b1;
                s_axil_bresp  <= reg_wr_err ? RESP_SLVERR : RESP_OKAY;
            end else if (s_axil_bready) begin
                s_axil_bvalid <= 1'b0;
            end
        end
    end

    assign s_axil_awready = !aw_held;
    assign s_axil_wready  = !w_held;
    // A new request waits for the previous B to be taken: one write in flight.
    assign reg_wr_req  = aw_held && w_held && !s_axil_bvalid;
    assign reg_wr_addr = {aw_word, 2'b00};
    assign reg_wr_data = w_data;
    assign reg_wr_strb = w_strb;

    // ---- read channel ----
    reg              ar_held;
    reg [ADDR_W-3:0] ar_word;

    wire ar_fire = s_axil_arvalid && !ar_held;
    wire rd_done = reg_rd_req && reg_rd_ack;

    always @(posedge clk) begin
        if (!rst_n) begin
            ar_held       <= 1'b0;
            s_axil_rvalid <= 1'b0;
            s_axil_rresp  <= RESP_OKAY;
            s_axil_rdata  <= 32'd0;
        end else begin
            if (ar_fire) begin
                ar_held <= 1'b1;
                ar_word <= s_axil_araddr[ADDR_W-1:2];
            end else if (rd_done) begin
                ar_held <= 1'b0;
            end
            if (rd_done) begin
                s_axil_rvalid <= 1'b1;
                s_axil_rresp  <= reg_rd_err ? RESP_SLVERR : RESP_OKAY;
                s_axil_rdata  <= reg_rd_data;
            end else if (s_axil_rready) begin
                s_axil_rvalid <= 1'b0;
            end
        end
    end

    assign s_axil_arready = !ar_held;
    assign reg_rd_req  = ar_held && !s_axil_rvalid;
    assign reg_rd_addr = {ar_word, 2'b00};
endmodule
