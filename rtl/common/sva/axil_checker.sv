// AXI4-Lite protocol checker (SystemVerilog, bound beside the RTL; docs/formal.md).
//
// Two sets of rules:
// - the slave's (the design's): B and R held until taken, no response without a
//   request and never two for one (checked when CHECK_SLAVE);
// - the master's (the testbench's, or the environment's in a proof): AW, W and AR held
//   with a stable payload until taken (checked when CHECK_MASTER; assumptions instead
//   when ASSUME_MASTER, for the proof of rtl/common/axil_regs.v under formal/).
// axil_regs binds the slave rules (its block test drives illegal master inputs on
// purpose); the design tops bind the master rules on their host ports.
// Each assertion NAME has a cover NAME_C that counts the cycles it checked something.
`ifndef SPIKEDV_SVA_MACROS
`define SPIKEDV_SVA_MACROS
`ifdef FORMAL
`define SVA_MSG(args)
`else
`define SVA_MSG(args) else $error args
`endif
`endif

module axil_checker #(
    parameter integer ADDR_W        = 16,
    parameter integer CHECK_SLAVE   = 1,
    parameter integer CHECK_MASTER  = 0,
    parameter integer ASSUME_MASTER = 0
) (
    input wire              clk,
    input wire              rst_n,
    input wire [ADDR_W-1:0] awaddr,
    input wire [2:0]        awprot,
    input wire              awvalid,
    input wire              awready,
    input wire [31:0]       wdata,
    input wire [3:0]        wstrb,
    input wire              wvalid,
    input wire              wready,
    input wire [1:0]        bresp,
    input wire              bvalid,
    input wire              bready,
    input wire [ADDR_W-1:0] araddr,
    input wire [2:0]        arprot,
    input wire              arvalid,
    input wire              arready,
    input wire [31:0]       rdata,
    input wire [1:0]        rresp,
    input wire              rvalid,
    input wire              rready
);
    reg              seen_reset;
    reg              armed;       // a reset was seen and the previous cycle was out of it
    initial begin
        seen_reset = 1'b0;
        armed      = 1'b0;
    end

    // Last cycle's handshake signals and payloads.
    reg              p_awvalid, p_awready, p_wvalid, p_wready, p_arvalid, p_arready;
    reg              p_bvalid, p_bready, p_rvalid, p_rready;
    reg [ADDR_W-1:0] p_awaddr, p_araddr;
    reg [2:0]        p_awprot, p_arprot;
    reg [31:0]       p_wdata, p_rdata;
    reg [3:0]        p_wstrb;
    reg [1:0]        p_bresp, p_rresp;
    // Requests taken and not yet answered (AW, W: by B; AR: by R).
    reg [3:0]        n_aw, n_w, n_ar;

    wire aw_fire = awvalid && awready;
    wire w_fire  = wvalid && wready;
    wire ar_fire = arvalid && arready;
    wire b_fire  = bvalid && bready;
    wire r_fire  = rvalid && rready;

    always @(posedge clk) begin
        seen_reset <= seen_reset || !rst_n;
        armed      <= rst_n && seen_reset;
        p_awvalid <= awvalid;  p_awready <= awready;  p_awaddr <= awaddr;  p_awprot <= awprot;
        p_wvalid  <= wvalid;   p_wready  <= wready;   p_wdata  <= wdata;   p_wstrb  <= wstrb;
        p_arvalid <= arvalid;  p_arready <= arready;  p_araddr <= araddr;  p_arprot <= arprot;
        p_bvalid  <= bvalid;   p_bready  <= bready;   p_bresp  <= bresp;
        p_rvalid  <= rvalid;   p_rready  <= rready;   p_rdata  <= rdata;   p_rresp  <= rresp;
        if (!rst_n) begin
            n_aw <= 4'd0;
            n_w  <= 4'd0;
            n_ar <= 4'd0;
        end else begin
            n_aw <= n_aw + {3'd0, aw_fire} - {3'd0, b_fire};
            n_w  <= n_w + {3'd0, w_fire} - {3'd0, b_fire};
            n_ar <= n_ar + {3'd0, ar_fire} - {3'd0, r_fire};
        end
    end

    wire aw_wait = armed && p_awvalid && !p_awready;
    wire w_wait  = armed && p_wvalid && !p_wready;
    wire ar_wait = armed && p_arvalid && !p_arready;
    wire b_wait  = armed && p_bvalid && !p_bready;
    wire r_wait  = armed && p_rvalid && !p_rready;

    // The rules (true = kept); an instance uses the sets its parameters select.
    /* verilator lint_off UNUSEDSIGNAL */
    // Master's rules.
    wire ok_aw = !aw_wait || (awvalid && awaddr == p_awaddr && awprot == p_awprot);
    wire ok_w  = !w_wait || (wvalid && wdata == p_wdata && wstrb == p_wstrb);
    wire ok_ar = !ar_wait || (arvalid && araddr == p_araddr && arprot == p_arprot);
    // Slave's rules.
    wire ok_b_held = !b_wait || (bvalid && bresp == p_bresp);
    wire ok_r_held = !r_wait || (rvalid && rdata == p_rdata && rresp == p_rresp);
    wire ok_b_req  = !(armed && bvalid) || (n_aw != 4'd0 && n_w != 4'd0);
    wire ok_r_req  = !(armed && rvalid) || n_ar != 4'd0;
    /* verilator lint_on UNUSEDSIGNAL */

    generate
        if (ASSUME_MASTER != 0) begin : g_master
            always @(posedge clk) begin
                if (rst_n) begin
                    AXIL_AW_HELD: assume (ok_aw);
                    AXIL_W_HELD:  assume (ok_w);
                    AXIL_AR_HELD: assume (ok_ar);
                end
            end
        end else if (CHECK_MASTER != 0) begin : g_master
            always @(posedge clk) begin
                if (rst_n) begin
                    // AWVALID stays high, AWADDR and AWPROT stable, until AWREADY.
                    AXIL_AW_HELD: assert (ok_aw)
                        `SVA_MSG(("AXIL_AW_HELD: AW withdrawn or changed before AWREADY (awvalid %b, awaddr %h -> %h)",
                                  awvalid, p_awaddr, awaddr));
                    AXIL_AW_HELD_C: cover (aw_wait);
                    // WVALID stays high, WDATA and WSTRB stable, until WREADY.
                    AXIL_W_HELD: assert (ok_w)
                        `SVA_MSG(("AXIL_W_HELD: W withdrawn or changed before WREADY (wvalid %b, wdata %h -> %h, wstrb %h -> %h)",
                                  wvalid, p_wdata, wdata, p_wstrb, wstrb));
                    AXIL_W_HELD_C: cover (w_wait);
                    // ARVALID stays high, ARADDR and ARPROT stable, until ARREADY.
                    AXIL_AR_HELD: assert (ok_ar)
                        `SVA_MSG(("AXIL_AR_HELD: AR withdrawn or changed before ARREADY (arvalid %b, araddr %h -> %h)",
                                  arvalid, p_araddr, araddr));
                    AXIL_AR_HELD_C: cover (ar_wait);
                end
            end
        end
        if (CHECK_SLAVE != 0) begin : g_slave
            always @(posedge clk) begin
                if (rst_n) begin
                    // BVALID stays high, BRESP stable, until BREADY takes the response.
                    AXIL_B_HELD: assert (ok_b_held)
                        `SVA_MSG(("AXIL_B_HELD: B withdrawn or changed before BREADY (bvalid %b, bresp %h -> %h)",
                                  bvalid, p_bresp, bresp));
                    AXIL_B_HELD_C: cover (b_wait);
                    // RVALID stays high, RDATA and RRESP stable, until RREADY.
                    AXIL_R_HELD: assert (ok_r_held)
                        `SVA_MSG(("AXIL_R_HELD: R withdrawn or changed before RREADY (rvalid %b, rdata %h -> %h, rresp %h -> %h)",
                                  rvalid, p_rdata, rdata, p_rresp, rresp));
                    AXIL_R_HELD_C: cover (r_wait);
                    // BVALID only while a write whose AW and W were both taken is
                    // unanswered: no response without a request, one per request.
                    AXIL_B_ONE_PER_REQUEST: assert (ok_b_req)
                        `SVA_MSG(("AXIL_B_ONE_PER_REQUEST: BVALID with %0d AW and %0d W taken and unanswered",
                                  n_aw, n_w));
                    AXIL_B_ONE_PER_REQUEST_C: cover (armed && bvalid);
                    // RVALID only while a read whose AR was taken is unanswered.
                    AXIL_R_ONE_PER_REQUEST: assert (ok_r_req)
                        `SVA_MSG(("AXIL_R_ONE_PER_REQUEST: RVALID with %0d AR taken and unanswered", n_ar));
                    AXIL_R_ONE_PER_REQUEST_C: cover (armed && rvalid);
                end
            end
        end
    endgenerate
endmodule
