// qclif_network: the recurrent network of N qCLIF neurons served by NP neuron units
// (docs/qclif.md, docs/qclif_network.md). AXI4-Lite registers, one AXI4-Stream input
// beat per bin (200 bits, TLAST = the sample's last bin), AXI4-Stream output of the
// spike vectors (TUSER = 1, with CTRL.SPIKE_OUT) and per sample the 11 scores and the
// predicted class (TUSER = 0).
// Simulation preload: with the plusarg +weights=DIR each unit's banks load the images
// win_bUUU.hex, wctx_bUUU.hex, wout_bUUU.hex (UUU = unit number, 3 decimal digits) from
// DIR by $readmemh (rtl/common/sram_sp.v).
module qclif_network #(
    parameter integer N           = 200,
    parameter integer NP          = 20
) (
    clk, rst_n, s_axil_awaddr, s_axil_awprot, s_axil_awvalid, s_axil_awready,
    s_axil_wdata, s_axil_wstrb, s_axil_wvalid, s_axil_wready, s_axil_bresp, s_axil_bvalid,
    s_axil_bready, s_axil_araddr, s_axil_arprot, s_axil_arvalid, s_axil_arready,
    s_axil_rdata, s_axil_rresp, s_axil_rvalid, s_axil_rready, s_axis_tdata, s_axis_tvalid,
    s_axis_tready, s_axis_tlast, m_axis_tdata, m_axis_tvalid, m_axis_tready, m_axis_tlast,
    m_axis_tuser
);
    `include "qclif_dims.vh"   // dimensions, generated from model/qclif.py

    input  wire                clk;
    input  wire                rst_n;

    input  wire [11:0]         s_axil_awaddr;
    input  wire [2:0]          s_axil_awprot;
    input  wire                s_axil_awvalid;
    output wire                s_axil_awready;
    input  wire [31:0]         s_axil_wdata;
    input  wire [3:0]          s_axil_wstrb;
    input  wire                s_axil_wvalid;
    output wire                s_axil_wready;
    output wire [1:0]          s_axil_bresp;
    output wire                s_axil_bvalid;
    input  wire                s_axil_bready;
    input  wire [11:0]         s_axil_araddr;
    input  wire [2:0]          s_axil_arprot;
    input  wire                s_axil_arvalid;
    output wire                s_axil_arready;
    output wire [31:0]         s_axil_rdata;
    output wire [1:0]          s_axil_rresp;
    output wire                s_axil_rvalid;
    input  wire                s_axil_rready;

    input  wire [N_INPUTS-1:0] s_axis_tdata;
    input  wire                s_axis_tvalid;
    output wire                s_axis_tready;
    input  wire                s_axis_tlast;

    output wire [31:0]         m_axis_tdata;
    output wire                m_axis_tvalid;
    input  wire                m_axis_tready;
    output wire                m_axis_tlast;
    output wire [0:0]          m_axis_tuser;

    localparam integer P         = N / NP;
    localparam integer DEPTH     = (P < 2) ? 2 : P;
    localparam integer ROW_W     = $clog2(DEPTH);
    localparam integer UNIT_W    = (NP < 2) ? 1 : $clog2(NP);
    localparam [OUT_IDX_W-1:0] PRED_BEAT = N_CLASSES[OUT_IDX_W-1:0];   // after the scores

    // ---- register bus ----
    wire        reg_wr_req, reg_wr_ack, reg_wr_err, reg_rd_req, reg_rd_ack, reg_rd_err;
    wire [11:0] reg_wr_addr, reg_rd_addr;
    wire [31:0] reg_wr_data, reg_rd_data;
    wire [3:0]  reg_wr_strb;

    axil_regs #(.ADDR_W(12)) u_axil (
        .clk(clk), .rst_n(rst_n),
        .s_axil_awaddr(s_axil_awaddr), .s_axil_awprot(s_axil_awprot),
        .s_axil_awvalid(s_axil_awvalid), .s_axil_awready(s_axil_awready),
        .s_axil_wdata(s_axil_wdata), .s_axil_wstrb(s_axil_wstrb),
        .s_axil_wvalid(s_axil_wvalid), .s_axil_wready(s_axil_wready),
        .s_axil_bresp(s_axil_bresp), .s_axil_bvalid(s_axil_bvalid),
        .s_axil_bready(s_axil_bready),
        .s_axil_araddr(s_axil_araddr), .s_axil_arprot(s_axil_arprot),
        .s_axil_arvalid(s_axil_arvalid), .s_axil_arready(s_axil_arready),
        .s_axil_rdata(s_axil_rdata), .s_axil_rresp(s_axil_rresp),
        .s_axil_rvalid(s_axil_rvalid), .s_axil_rready(s_axil_rready),
        .reg_wr_req(reg_wr_req), .reg_wr_addr(reg_wr_addr), .reg_wr_data(reg_wr_data),
        .reg_wr_strb(reg_wr_strb), .reg_wr_ack(reg_wr_ack), .reg_wr_err(reg_wr_err),
        .reg_rd_req(reg_rd_req), .reg_rd_addr(reg_rd_addr), .reg_rd_ack(reg_rd_ack),
        .reg_rd_data(reg_rd_data), .reg_rd_err(reg_rd_err));

    wire              enable, spike_out, sample_reset, busy, err_sample_len;
    wire [7:0]        la, ls, g0, theta;
    wire [3:0]        si, sa, sd;
    wire [31:0]       bins_done, cycles, synops, spikes, sample_cycles;
    wire              wmem_go, wmem_we;
    wire [1:0]        wmem_sel;
    wire [UNIT_W-1:0] wmem_unit;
    wire [ROW_W-1:0]  wmem_row;
    wire [ROW_BITS-1:0] wmem_wdata;
    reg               rd_pend1, rd_pend2;
    reg  [1:0]        rd_sel_q;
    reg  [UNIT_W-1:0] rd_unit_q;
    reg  [ROW_BITS-1:0] rd_row_q;

    qclif_regs #(.N(N), .NP(NP), .UNIT_W(UNIT_W), .ROW_W(ROW_W)) u_regs (
        .clk(clk), .rst_n(rst_n),
        .reg_wr_req(reg_wr_req), .reg_wr_addr(reg_wr_addr), .reg_wr_data(reg_wr_data),
        .reg_wr_strb(reg_wr_strb), .reg_wr_ack(reg_wr_ack), .reg_wr_err(reg_wr_err),
        .reg_rd_req(reg_rd_req), .reg_rd_addr(reg_rd_addr), .reg_rd_ack(reg_rd_ack),
        .reg_rd_data(reg_rd_data), .reg_rd_err(reg_rd_err),
        .enable(enable), .spike_out(spike_out), .sample_reset(sample_reset),
        .la(la), .ls(ls), .g0(g0), .theta(theta), .si(si), .sa(sa), .sd(sd),
        .busy(busy), .err_sample_len(err_sample_len),
        .bins_done(bins_done), .cycles(cycles), .synops(synops), .spikes(spikes),
        .sample_cycles(sample_cycles),
        .wmem_go(wmem_go), .wmem_we(wmem_we), .wmem_sel(wmem_sel), .wmem_unit(wmem_unit),
        .wmem_row(wmem_row), .wmem_wdata(wmem_wdata),
        .wmem_rvalid(rd_pend2), .wmem_rdata(rd_row_q));

    // ---- controller ----
    wire             bin_start, sample_start, mem_en, step, fresh, ctx_load, pred_load;
    wire [ROW_W-1:0] mem_row, step_row;
    wire [NP-1:0]    unit_spikes;
    wire             out_valid, out_ready, out_spike_phase, out_last;
    wire [OUT_IDX_W-1:0] out_idx;
    reg  [N_INPUTS-1:0]  x_q;

    function [IN_COUNT_W-1:0] popcount_in(input [N_INPUTS-1:0] b);
        integer i;
        begin
            popcount_in = {IN_COUNT_W{1'b0}};
            for (i = 0; i < N_INPUTS; i = i + 1)
                popcount_in = popcount_in + {{(IN_COUNT_W - 1){1'b0}}, b[i]};
        end
    endfunction

    wire [IN_COUNT_W-1:0] x_pop = popcount_in(x_q);

    qclif_ctrl #(.N(N), .NP(NP), .ROW_W(ROW_W)) u_ctrl (
        .clk(clk), .rst_n(rst_n), .enable(enable), .spike_out(spike_out),
        .sample_reset(sample_reset),
        .in_valid(s_axis_tvalid), .in_last(s_axis_tlast), .in_ready(s_axis_tready),
        .bin_start(bin_start), .sample_start(sample_start), .x_pop(x_pop),
        .mem_en(mem_en), .mem_row(mem_row), .step(step), .step_row(step_row),
        .fresh(fresh), .step_spikes(unit_spikes), .ctx_load(ctx_load),
        .pred_load(pred_load),
        .out_valid(out_valid), .out_ready(out_ready), .out_spike_phase(out_spike_phase),
        .out_idx(out_idx), .out_last(out_last), .busy(busy),
        .bins_done(bins_done), .cycles(cycles), .synops(synops), .spikes(spikes),
        .sample_cycles(sample_cycles), .err_sample_len(err_sample_len));

    // ---- per-bin registers: input bits, configuration, spike vectors ----
    reg [7:0] la_q, ls_q, g0_q, theta_q;
    reg [3:0] si_q, sa_q, sd_q;
    reg [N-1:0] s_cur;    // this bin's spikes, bit n = neuron n
    reg [N-1:0] s_prev;   // the context: last bin's spikes

    always @(posedge clk) begin
        if (bin_start) begin
            x_q     <= s_axis_tdata;
            la_q    <= la;
            ls_q    <= ls;
            g0_q    <= g0;
            theta_q <= theta;
            si_q    <= si;
            sa_q    <= sa;
            sd_q    <= sd;
        end
        if (sample_start)  s_prev <= {N{1'b0}};
        else if (ctx_load) s_prev <= s_cur;
        if (step) s_cur[step_row*NP +: NP] <= unit_spikes;
    end

    // ---- neuron units ----
    wire [NP*WIN_ROW_BITS-1:0]  win_rows;
    wire [NP*LANE_BITS*N-1:0]   wctx_rows;
    wire [NP*WOUT_ROW_BITS-1:0] wout_rows;
    wire [ROW_W-1:0]   bank_addr = wmem_go ? wmem_row : mem_row;
    wire               bank_we   = wmem_go && wmem_we;

    // Unit number as three ASCII decimal digits (file names of the bank images).
    /* verilator lint_off UNUSEDSIGNAL */   // the digits' upper integer bits are zero
    function [23:0] digits3(input integer v);
        integer d2, d1, d0;
        begin
            d2 = 48 + v / 100 % 10;
            d1 = 48 + v / 10 % 10;
            d0 = 48 + v % 10;
            digits3 = {d2[7:0], d1[7:0], d0[7:0]};
        end
    endfunction
    /* verilator lint_on UNUSEDSIGNAL */

    genvar u;
    generate
        for (u = 0; u < NP; u = u + 1) begin : g_unit
`ifdef SYNTHESIS
            // The image names serve the simulation preload only; without them the units
            // are one module, which synthesis maps once (docs/synthesis.md).
            localparam WIN_NAME  = "";
            localparam WCTX_NAME = "";
            localparam WOUT_NAME = "";
`else
            localparam [23:0] UNUM = digits3(u);
            localparam WIN_NAME  = {"win_b", UNUM, ".hex"};
            localparam WCTX_NAME = {"wctx_b", UNUM, ".hex"};
            localparam WOUT_NAME = {"wout_b", UNUM, ".hex"};
`endif
            wire hit = wmem_go && wmem_unit == u;
            qclif_unit #(.N(N), .DEPTH(DEPTH), .WIN_NAME(WIN_NAME), .WCTX_NAME(WCTX_NAME),
                         .WOUT_NAME(WOUT_NAME)) u_unit (
                .clk(clk),
                .win_en(mem_en || (hit && wmem_sel == 2'd0)),
                .wctx_en(mem_en || (hit && wmem_sel == 2'd1)),
                .wout_en(mem_en || (hit && wmem_sel == 2'd2)),
                .mem_we(bank_we), .mem_addr(bank_addr),
                .win_wdata(wmem_wdata[WIN_ROW_BITS-1:0]),
                .wctx_wdata(wmem_wdata[LANE_BITS*N-1:0]),
                .wout_wdata(wmem_wdata[WOUT_ROW_BITS-1:0]),
                .win_row(win_rows[WIN_ROW_BITS*u +: WIN_ROW_BITS]),
                .wctx_row(wctx_rows[LANE_BITS*N*u +: LANE_BITS*N]),
                .wout_row(wout_rows[WOUT_ROW_BITS*u +: WOUT_ROW_BITS]),
                .in_bits(x_q), .ctx_bits(s_prev), .step(step), .step_row(step_row),
                .fresh(fresh), .la(la_q), .ls(ls_q), .g0(g0_q), .theta(theta_q),
                .si(si_q), .sa(sa_q), .sd(sd_q), .spike(unit_spikes[u]));
        end
    endgenerate

    // ---- weight row read back over the bus: bank output -> rd_row_q -> staging ----
    always @(posedge clk) begin
        if (!rst_n) begin
            rd_pend1 <= 1'b0;
            rd_pend2 <= 1'b0;
        end else begin
            rd_pend1 <= wmem_go && !wmem_we;
            rd_pend2 <= rd_pend1;
        end
        if (wmem_go) begin
            rd_sel_q  <= wmem_sel;
            rd_unit_q <= wmem_unit;
        end
        if (rd_pend1) rd_row_q <= read_row(rd_sel_q, rd_unit_q, win_rows, wctx_rows, wout_rows);
    end

    // The row of memory `sel` (0 win, 1 wctx, 2 wout) of unit `idx`, zero-extended to
    // 1600 bits: an AND-OR of the units' rows with one-hot unit selects, then the memory.
    // (A part-select at the variable offset 1600*idx would be a 32,000-bit shifter in
    // synthesis.) Called in the clocked block: evaluated when a read lands, not on every
    // change of the bank outputs.
    function [ROW_BITS-1:0] read_row(input [1:0] sel, input [UNIT_W-1:0] idx,
                                     input [NP*WIN_ROW_BITS-1:0] wi,
                                     input [NP*LANE_BITS*N-1:0] wc,
                                     input [NP*WOUT_ROW_BITS-1:0] wo);
        reg [ROW_BITS-1:0]      hit;
        reg [WIN_ROW_BITS-1:0]  win;
        reg [LANE_BITS*N-1:0]   ctx;
        reg [WOUT_ROW_BITS-1:0] out;
        integer i;
        begin
            win = {WIN_ROW_BITS{1'b0}};
            ctx = {LANE_BITS*N{1'b0}};
            out = {WOUT_ROW_BITS{1'b0}};
            for (i = 0; i < NP; i = i + 1) begin
                hit = {ROW_BITS{idx == i[UNIT_W-1:0]}};
                win = win | (wi[WIN_ROW_BITS*i +: WIN_ROW_BITS] & hit[WIN_ROW_BITS-1:0]);
                ctx = ctx | (wc[LANE_BITS*N*i +: LANE_BITS*N] & hit[LANE_BITS*N-1:0]);
                out = out | (wo[WOUT_ROW_BITS*i +: WOUT_ROW_BITS] & hit[WOUT_ROW_BITS-1:0]);
            end
            read_row = {ROW_BITS{1'b0}};
            case (sel)
                2'd0:    read_row[WIN_ROW_BITS-1:0] = win;
                2'd1:    read_row[LANE_BITS*N-1:0] = ctx;
                default: read_row[WOUT_ROW_BITS-1:0] = out;
            endcase
        end
    endfunction

    // ---- readout ----
    wire [N_CLASSES*SCORE_BITS-1:0] scores;
    wire [CLASS_W-1:0]              pred;

    qclif_readout #(.NP(NP)) u_readout (
        .clk(clk), .clear(sample_start), .add(step), .spikes(unit_spikes),
        .wout_rows(wout_rows), .latch_pred(pred_load), .scores(scores), .pred(pred));

    // ---- output beats ----
    function [31:0] spike_word(input [N-1:0] s, input [OUT_IDX_W-1:0] idx);
        integer i;
        begin
            for (i = 0; i < 32; i = i + 1)
                spike_word[i] = (32 * idx + i < N) ? s[32 * idx + i] : 1'b0;
        end
    endfunction

    wire [31:0] out_data = out_spike_phase ? spike_word(s_cur, out_idx)
                         : (out_idx == PRED_BEAT) ? {{(32 - CLASS_W){1'b0}}, pred}
                         : scores[SCORE_BITS*out_idx +: SCORE_BITS];

    axis_skid #(.DATA_W(32), .USER_W(1)) u_out (
        .clk(clk), .rst_n(rst_n),
        .s_axis_tdata(out_data), .s_axis_tvalid(out_valid), .s_axis_tready(out_ready),
        .s_axis_tlast(out_last), .s_axis_tuser(out_spike_phase),
        .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready), .m_axis_tlast(m_axis_tlast),
        .m_axis_tuser(m_axis_tuser));
endmodule
