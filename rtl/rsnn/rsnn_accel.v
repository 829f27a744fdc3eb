// rsnn accelerator top level: AXI4-Lite registers (axil_regs + rsnn_regs), the input
// feature stream, the score output stream and the spike tap (each through axis_skid),
// the five weight memories and the core (rsnn_ctrl with the zero-skip units, rsnn_state
// with the PE sets, current and LIF units, rsnn_class_accum, rsnn_argmax).
// Simulation preload: with the plusarg +weights=DIR the five memories load win.hex,
// wrec_bank0/1.hex and wfc_bank0/1.hex from DIR by $readmemh (rtl/common/sram_sp.v).
// Two designs share rtl/: linting the whole tree at once (verilator --lint-only -Wall
// rtl/*/*.v) finds two top levels, rsnn_accel and qclif_network, by design.
/* verilator lint_off MULTITOP */
module rsnn_accel (
    clk, rst_n, s_axil_awaddr, s_axil_awprot, s_axil_awvalid, s_axil_awready,
    s_axil_wdata, s_axil_wstrb, s_axil_wvalid, s_axil_wready, s_axil_bresp, s_axil_bvalid,
    s_axil_bready, s_axil_araddr, s_axil_arprot, s_axil_arvalid, s_axil_arready,
    s_axil_rdata, s_axil_rresp, s_axil_rvalid, s_axil_rready, s_axis_tdata, s_axis_tvalid,
    s_axis_tready, s_axis_tlast, s_axis_tuser, m_axis_tdata, m_axis_tvalid, m_axis_tready,
    m_axis_tlast, m_axis_spk_tdata, m_axis_spk_tvalid, m_axis_spk_tready,
    m_axis_spk_tlast
);
    `include "rsnn_dims.vh"   // dimensions, generated from model/rsnn.py

    input  wire                 clk;
    input  wire                 rst_n;

    /* verilator lint_off UNUSEDSIGNAL */  // byte offset and PROT are not decoded
    input  wire [15:0]          s_axil_awaddr;
    input  wire [2:0]           s_axil_awprot;
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire                 s_axil_awvalid;
    output wire                 s_axil_awready;
    input  wire [31:0]          s_axil_wdata;
    input  wire [3:0]           s_axil_wstrb;
    input  wire                 s_axil_wvalid;
    output wire                 s_axil_wready;
    output wire [1:0]           s_axil_bresp;
    output wire                 s_axil_bvalid;
    input  wire                 s_axil_bready;
    /* verilator lint_off UNUSEDSIGNAL */
    input  wire [15:0]          s_axil_araddr;
    input  wire [2:0]           s_axil_arprot;
    /* verilator lint_on UNUSEDSIGNAL */
    input  wire                 s_axil_arvalid;
    output wire                 s_axil_arready;
    output wire [31:0]          s_axil_rdata;
    output wire [1:0]           s_axil_rresp;
    output wire                 s_axil_rvalid;
    input  wire                 s_axil_rready;

    input  wire [31:0]          s_axis_tdata;
    input  wire                 s_axis_tvalid;
    output wire                 s_axis_tready;
    input  wire                 s_axis_tlast;
    input  wire [0:0]           s_axis_tuser;

    output wire [31:0]          m_axis_tdata;
    output wire                 m_axis_tvalid;
    input  wire                 m_axis_tready;
    output wire                 m_axis_tlast;

    output wire [N_NEURONS-1:0] m_axis_spk_tdata;
    output wire                 m_axis_spk_tvalid;
    input  wire                 m_axis_spk_tready;
    output wire                 m_axis_spk_tlast;

    // ---- registers ----
    wire        reg_wr_req, reg_wr_ack, reg_wr_err, reg_rd_req, reg_rd_ack, reg_rd_err;
    wire [15:0] reg_wr_addr, reg_rd_addr;
    wire [31:0] reg_wr_data, reg_rd_data;
    wire [3:0]  reg_wr_strb;

    axil_regs #(.ADDR_W(16)) u_axil (
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
        .reg_rd_data(reg_rd_data), .reg_rd_err(reg_rd_err)
    );

    wire         enable, spike_tap, utt_reset;
    wire [1:0]   cfg_t;
    wire [2:0]   cfg_s_in, cfg_b0, cfg_b1;
    wire [10:0]  cfg_theta0, cfg_theta1;
    wire         cfg_schedule;  // SCHEDULE: 0 paper, 1 union
    wire         busy, frame_done, err_pad, err_len;
    wire [N_COUNTERS*COUNTER_BITS-1:0] counters;
    wire                               wmem_en, wmem_we;
    wire [MEM_SEL_W-1:0]               wmem_sel;
    wire [WFC_ADDR_W-1:0]              wmem_row;   // the widest memory's address
    wire [ROW_BITS-1:0]                wmem_wdata;
    reg  [ROW_BITS-1:0]                wmem_rdata;

    rsnn_regs u_regs (
        .clk(clk), .rst_n(rst_n),
        .reg_wr_req(reg_wr_req), .reg_wr_addr(reg_wr_addr), .reg_wr_data(reg_wr_data),
        .reg_wr_strb(reg_wr_strb), .reg_wr_ack(reg_wr_ack), .reg_wr_err(reg_wr_err),
        .reg_rd_req(reg_rd_req), .reg_rd_addr(reg_rd_addr), .reg_rd_ack(reg_rd_ack),
        .reg_rd_data(reg_rd_data), .reg_rd_err(reg_rd_err),
        .enable(enable), .spike_tap(spike_tap), .utt_reset(utt_reset), .t(cfg_t),
        .s_in(cfg_s_in), .b0(cfg_b0), .b1(cfg_b1), .theta0(cfg_theta0),
        .theta1(cfg_theta1), .schedule(cfg_schedule), .busy(busy),
        .frame_done(frame_done), .err_pad(err_pad), .err_len(err_len), .counters(counters),
        .wmem_en(wmem_en), .wmem_we(wmem_we), .wmem_sel(wmem_sel), .wmem_row(wmem_row),
        .wmem_wdata(wmem_wdata), .wmem_rdata(wmem_rdata)
    );

    // ---- input stream ----
    wire [31:0] in_tdata;
    wire        in_tvalid, in_tready, in_tlast;
    wire [0:0]  in_tuser;

    axis_skid #(.DATA_W(32), .USER_W(1)) u_in_skid (
        .clk(clk), .rst_n(rst_n),
        .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid),
        .s_axis_tready(s_axis_tready), .s_axis_tlast(s_axis_tlast),
        .s_axis_tuser(s_axis_tuser),
        .m_axis_tdata(in_tdata), .m_axis_tvalid(in_tvalid), .m_axis_tready(in_tready),
        .m_axis_tlast(in_tlast), .m_axis_tuser(in_tuser)
    );

    wire                                frame_valid, frame_utt, frame_take, ctrl_waiting, receiving;
    wire [N_INPUT_BUF*FEATURE_BITS-1:0] features;

    rsnn_in_rx u_rx (
        .clk(clk), .rst_n(rst_n), .enable(enable), .ctrl_ready(ctrl_waiting),
        .s_tdata(in_tdata), .s_tvalid(in_tvalid), .s_tready(in_tready),
        .s_tlast(in_tlast), .s_tuser(in_tuser[0]),
        .frame_valid(frame_valid), .frame_utt(frame_utt), .features(features),
        .frame_take(frame_take), .receiving(receiving),
        .err_pad(err_pad), .err_len(err_len)
    );

    // ---- weight memories: the controller owns them while computing, else the regs ----
    wire                   compute;
    wire                   c_win_en, c_wrec0_en, c_wrec1_en, c_wfc0_en, c_wfc1_en;
    wire [WIN_ADDR_W-1:0]  c_win_addr;
    wire [WREC_ADDR_W-1:0] c_wrec0_addr, c_wrec1_addr;
    wire [WFC_ADDR_W-1:0]  c_wfc0_addr, c_wfc1_addr;
    wire [ROW_BITS-1:0]    win_rdata, wrec0_rdata, wrec1_rdata, wfc0_rdata, wfc1_rdata;

    wire h_win   = !compute && wmem_en && wmem_sel == 3'd0;
    wire h_wrec0 = !compute && wmem_en && wmem_sel == 3'd1;
    wire h_wrec1 = !compute && wmem_en && wmem_sel == 3'd2;
    wire h_wfc0  = !compute && wmem_en && wmem_sel == 3'd3;
    wire h_wfc1  = !compute && wmem_en && wmem_sel == 3'd4;

    sram_sp #(.WIDTH(ROW_BITS), .DEPTH(WIN_ROWS), .INIT_NAME("win.hex")) u_win (
        .clk(clk), .en(c_win_en || h_win), .we(h_win && wmem_we),
        .addr(compute ? c_win_addr : wmem_row[WIN_ADDR_W-1:0]), .wdata(wmem_wdata),
        .rdata(win_rdata));
    sram_sp #(.WIDTH(ROW_BITS), .DEPTH(WREC_ROWS), .INIT_NAME("wrec_bank0.hex")) u_wrec0 (
        .clk(clk), .en(c_wrec0_en || h_wrec0), .we(h_wrec0 && wmem_we),
        .addr(compute ? c_wrec0_addr : wmem_row[WREC_ADDR_W-1:0]), .wdata(wmem_wdata),
        .rdata(wrec0_rdata));
    sram_sp #(.WIDTH(ROW_BITS), .DEPTH(WREC_ROWS), .INIT_NAME("wrec_bank1.hex")) u_wrec1 (
        .clk(clk), .en(c_wrec1_en || h_wrec1), .we(h_wrec1 && wmem_we),
        .addr(compute ? c_wrec1_addr : wmem_row[WREC_ADDR_W-1:0]), .wdata(wmem_wdata),
        .rdata(wrec1_rdata));
    sram_sp #(.WIDTH(ROW_BITS), .DEPTH(WFC_ROWS), .INIT_NAME("wfc_bank0.hex")) u_wfc0 (
        .clk(clk), .en(c_wfc0_en || h_wfc0), .we(h_wfc0 && wmem_we),
        .addr(compute ? c_wfc0_addr : wmem_row), .wdata(wmem_wdata), .rdata(wfc0_rdata));
    sram_sp #(.WIDTH(ROW_BITS), .DEPTH(WFC_ROWS), .INIT_NAME("wfc_bank1.hex")) u_wfc1 (
        .clk(clk), .en(c_wfc1_en || h_wfc1), .we(h_wfc1 && wmem_we),
        .addr(compute ? c_wfc1_addr : wmem_row), .wdata(wmem_wdata), .rdata(wfc1_rdata));

    always @* begin
        case (wmem_sel)
            3'd0:    wmem_rdata = win_rdata;
            3'd1:    wmem_rdata = wrec0_rdata;
            3'd2:    wmem_rdata = wrec1_rdata;
            3'd3:    wmem_rdata = wfc0_rdata;
            default: wmem_rdata = wfc1_rdata;
        endcase
    end

    // ---- core ----
    wire                            clear_state, acc_clear, pe0_en, pe1_en;
    wire [BIT_IDX_W-1:0]            pe0_shift, pe1_shift;
    wire [2:0]                      s_in;
    wire [ROW_BITS-1:0]             pe0_row, pe1_row;
    wire                            iin_write, cur_use_iin, cur_use_acc0, cur_use_acc1;
    wire                            lif_en, lif_layer, lif_step;
    wire [2:0]                      lif_b;
    wire [10:0]                     lif_theta;
    wire [N_NEURONS-1:0]            lif_spikes, s0_k0, s0_k1, s1_k0, s1_k1;
    wire [N_NEURONS*ACC_BITS-1:0]   current;
    wire                            scores_clear, group_close, send_start, frame_t2, frame_tap;
    wire                            send_done;
    wire [GROUP_W-1:0]              group;
    wire [CLASS_W-1:0]              argmax_index, pred;
    wire [N_CLASSES*SCORE_BITS-1:0] scores;

    rsnn_ctrl u_ctrl (
        .clk(clk), .rst_n(rst_n),
        .frame_valid(frame_valid), .frame_utt(frame_utt), .features(features),
        .frame_take(frame_take), .waiting(ctrl_waiting),
        .utt_reset(utt_reset), .reg_t(cfg_t), .reg_s_in(cfg_s_in), .reg_b0(cfg_b0),
        .reg_b1(cfg_b1), .reg_theta0(cfg_theta0), .reg_theta1(cfg_theta1),
        .reg_spike_tap(spike_tap), .reg_schedule(cfg_schedule),
        .win_en(c_win_en), .win_addr(c_win_addr), .win_rdata(win_rdata),
        .wrec0_en(c_wrec0_en), .wrec0_addr(c_wrec0_addr), .wrec0_rdata(wrec0_rdata),
        .wrec1_en(c_wrec1_en), .wrec1_addr(c_wrec1_addr), .wrec1_rdata(wrec1_rdata),
        .wfc0_en(c_wfc0_en), .wfc0_addr(c_wfc0_addr), .wfc0_rdata(wfc0_rdata),
        .wfc1_en(c_wfc1_en), .wfc1_addr(c_wfc1_addr), .wfc1_rdata(wfc1_rdata),
        .compute(compute),
        .clear_state(clear_state), .acc_clear(acc_clear),
        .pe0_en(pe0_en), .pe0_shift(pe0_shift), .pe0_row(pe0_row),
        .pe1_en(pe1_en), .pe1_shift(pe1_shift), .pe1_row(pe1_row),
        .iin_write(iin_write), .s_in(s_in), .cur_use_iin(cur_use_iin),
        .cur_use_acc0(cur_use_acc0), .cur_use_acc1(cur_use_acc1),
        .lif_en(lif_en), .lif_layer(lif_layer), .lif_step(lif_step), .lif_b(lif_b),
        .lif_theta(lif_theta),
        .lif_spikes(lif_spikes), .s0_k0(s0_k0), .s0_k1(s0_k1), .s1_k0(s1_k0),
        .s1_k1(s1_k1),
        .scores_clear(scores_clear), .group_close(group_close), .group(group),
        .argmax_index(argmax_index),
        .send_start(send_start), .frame_t2(frame_t2), .frame_tap(frame_tap), .pred(pred),
        .send_done(send_done), .frame_done(frame_done), .counters(counters)
    );

    assign busy = !ctrl_waiting || receiving || frame_valid;

    rsnn_state u_state (
        .clk(clk), .rst_n(rst_n), .clear_state(clear_state), .acc_clear(acc_clear),
        .pe0_en(pe0_en), .pe0_shift(pe0_shift), .pe0_row(pe0_row),
        .pe1_en(pe1_en), .pe1_shift(pe1_shift), .pe1_row(pe1_row),
        .iin_write(iin_write), .s_in(s_in), .cur_use_iin(cur_use_iin),
        .cur_use_acc0(cur_use_acc0), .cur_use_acc1(cur_use_acc1),
        .lif_en(lif_en), .lif_layer(lif_layer), .lif_step(lif_step), .lif_b(lif_b),
        .lif_theta(lif_theta),
        .lif_spikes(lif_spikes), .s0_k0(s0_k0), .s0_k1(s0_k1), .s1_k0(s1_k0),
        .s1_k1(s1_k1), .current(current)
    );

    // The FC group partial z = acc0 + acc1 is the current unit's output at the close.
    rsnn_class_accum u_classes (
        .clk(clk), .clear(scores_clear), .close(group_close), .group(group), .z(current),
        .scores(scores)
    );

    rsnn_argmax u_argmax (.scores(scores), .index(argmax_index));

    // ---- output streams ----
    wire [31:0]          o_tdata;
    wire [N_NEURONS-1:0] sp_tdata;
    wire                 o_tvalid, o_tready, o_tlast, sp_tvalid, sp_tready, sp_tlast;
    /* verilator lint_off UNUSEDSIGNAL */  // the output streams carry no TUSER
    wire [0:0]   o_tuser_unused, sp_tuser_unused;
    /* verilator lint_on UNUSEDSIGNAL */

    rsnn_out_tx u_tx (
        .clk(clk), .rst_n(rst_n), .start(send_start), .t2(frame_t2), .tap(frame_tap),
        .scores(scores), .pred(pred), .s0_k0(s0_k0), .s0_k1(s0_k1), .s1_k0(s1_k0),
        .s1_k1(s1_k1),
        .out_tdata(o_tdata), .out_tvalid(o_tvalid), .out_tready(o_tready),
        .out_tlast(o_tlast),
        .spk_tdata(sp_tdata), .spk_tvalid(sp_tvalid), .spk_tready(sp_tready),
        .spk_tlast(sp_tlast), .done(send_done)
    );

    axis_skid #(.DATA_W(32), .USER_W(1)) u_out_skid (
        .clk(clk), .rst_n(rst_n),
        .s_axis_tdata(o_tdata), .s_axis_tvalid(o_tvalid), .s_axis_tready(o_tready),
        .s_axis_tlast(o_tlast), .s_axis_tuser(1'b0),
        .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready), .m_axis_tlast(m_axis_tlast),
        .m_axis_tuser(o_tuser_unused)
    );

    axis_skid #(.DATA_W(N_NEURONS), .USER_W(1)) u_spk_skid (
        .clk(clk), .rst_n(rst_n),
        .s_axis_tdata(sp_tdata), .s_axis_tvalid(sp_tvalid), .s_axis_tready(sp_tready),
        .s_axis_tlast(sp_tlast), .s_axis_tuser(1'b0),
        .m_axis_tdata(m_axis_spk_tdata), .m_axis_tvalid(m_axis_spk_tvalid),
        .m_axis_tready(m_axis_spk_tready), .m_axis_tlast(m_axis_spk_tlast),
        .m_axis_tuser(sp_tuser_unused)
    );
endmodule
