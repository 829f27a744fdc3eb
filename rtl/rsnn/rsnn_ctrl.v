// rsnn frame controller: sequences IN, L0, L1, FC and ARGMAX of one frame with the
// exact cycle counts of docs/rsnn.md by starting the zero-skip units (rsnn_zs_a, two
// rsnn_zs_b, rsnn_zs_c, rsnn_zs_d per layer) as docs/rsnn_blocks.md "Building the
// phases" says, drives the weight memories and the lane datapath (rsnn_state), counts
// the per-frame counters, then hands the frame to the output sender. See
// docs/rsnn_top.md for the state chart. The SCHEDULE register, sampled at each frame's
// start, selects the paper's schedule or the union schedule [ours]; the state sequence
// is the same for both, the zero-skip units walk differently (docs/rsnn.md).
module rsnn_ctrl (
    clk, rst_n, frame_valid, frame_utt, features, frame_take, waiting, utt_reset, reg_t,
    reg_s_in, reg_b0, reg_b1, reg_theta0, reg_theta1, reg_spike_tap, reg_schedule, win_en,
    win_addr, win_rdata, wrec0_en, wrec0_addr, wrec0_rdata, wrec1_en, wrec1_addr,
    wrec1_rdata, wfc0_en, wfc0_addr, wfc0_rdata, wfc1_en, wfc1_addr, wfc1_rdata, compute,
    clear_state, acc_clear, pe0_en, pe0_shift, pe0_row, pe1_en, pe1_shift, pe1_row,
    iin_write, s_in, cur_use_iin, cur_use_acc0, cur_use_acc1, lif_en, lif_layer, lif_step,
    lif_b, lif_theta, lif_spikes, s0_k0, s0_k1, s1_k0, s1_k1, scores_clear, group_close,
    group, argmax_index, send_start, frame_t2, frame_tap, pred, send_done, frame_done,
    counters
);
    `include "rsnn_dims.vh"   // dimensions, generated from model/rsnn.py
    localparam integer       L1_IDX_W   = NEURON_W + 1;   // L1 walks 2*N_NEURONS inputs
    localparam integer       LAST_G     = N_GROUPS - 1;
    localparam [GROUP_W-1:0] LAST_GROUP = LAST_G[GROUP_W-1:0];

    input  wire                                clk;
    input  wire                                rst_n;
    // input packet (rsnn_in_rx): held until `frame_take`
    input  wire                                frame_valid;
    input  wire                                frame_utt;      // TUSER of its first beat
    input  wire [N_INPUT_BUF*FEATURE_BITS-1:0] features;
    output wire                                frame_take;
    output wire                                waiting;        // ready to receive the next packet
    // registers
    input  wire                                utt_reset;      // CTRL.UTT_RESET pulse
    input  wire [1:0]                          reg_t;
    input  wire [2:0]                          reg_s_in;
    input  wire [2:0]                          reg_b0;
    input  wire [2:0]                          reg_b1;
    input  wire [10:0]                         reg_theta0;
    input  wire [10:0]                         reg_theta1;
    input  wire                                reg_spike_tap;
    input  wire                                reg_schedule;   // SCHEDULE: 0 paper, 1 union
    // weight memories (read only; one cycle latency)
    output wire                                win_en;
    output wire [WIN_ADDR_W-1:0]               win_addr;
    input  wire [ROW_BITS-1:0]                 win_rdata;
    output wire                                wrec0_en;
    output wire [WREC_ADDR_W-1:0]              wrec0_addr;
    input  wire [ROW_BITS-1:0]                 wrec0_rdata;
    output wire                                wrec1_en;
    output wire [WREC_ADDR_W-1:0]              wrec1_addr;
    input  wire [ROW_BITS-1:0]                 wrec1_rdata;
    output wire                                wfc0_en;
    output wire [WFC_ADDR_W-1:0]               wfc0_addr;
    input  wire [ROW_BITS-1:0]                 wfc0_rdata;
    output wire                                wfc1_en;
    output wire [WFC_ADDR_W-1:0]               wfc1_addr;
    input  wire [ROW_BITS-1:0]                 wfc1_rdata;
    output wire                                compute;        // memories belong to the controller
    // lane datapath (rsnn_state)
    output wire                                clear_state;
    output wire                                acc_clear;
    output wire                                pe0_en;
    output wire [BIT_IDX_W-1:0]                pe0_shift;
    output wire [ROW_BITS-1:0]                 pe0_row;
    output wire                                pe1_en;
    output wire [BIT_IDX_W-1:0]                pe1_shift;
    output wire [ROW_BITS-1:0]                 pe1_row;
    output wire                                iin_write;
    output wire [2:0]                          s_in;
    output wire                                cur_use_iin;
    output wire                                cur_use_acc0;
    output wire                                cur_use_acc1;
    output wire                                lif_en;
    output wire                                lif_layer;
    output wire                                lif_step;
    output wire [2:0]                          lif_b;
    output wire [10:0]                         lif_theta;
    input  wire [N_NEURONS-1:0]                lif_spikes;
    input  wire [N_NEURONS-1:0]                s0_k0;
    input  wire [N_NEURONS-1:0]                s0_k1;
    input  wire [N_NEURONS-1:0]                s1_k0;
    input  wire [N_NEURONS-1:0]                s1_k1;
    // class scores and argmax
    output wire                                scores_clear;
    output wire                                group_close;
    output wire [GROUP_W-1:0]                  group;
    input  wire [CLASS_W-1:0]                  argmax_index;
    // output sender
    output wire                                send_start;
    output wire                                frame_t2;       // T of this frame is 2
    output wire                                frame_tap;      // send the spike tap for this frame
    output reg  [CLASS_W-1:0]                  pred;
    input  wire                                send_done;
    output wire                                frame_done;
    // counters of the last completed frame, 16 bits each, in docs/rsnn.md order
    output wire [N_COUNTERS*COUNTER_BITS-1:0]  counters;

    localparam [3:0] S_WAIT     = 4'd0,
                     S_START    = 4'd1,
                     S_IN_FIRST = 4'd2,
                     S_IN_WORK  = 4'd3,
                     S_L_FIRST  = 4'd4,
                     S_L_WORK   = 4'd5,
                     S_L_LIF    = 4'd6,
                     S_FC_FIRST = 4'd7,
                     S_FC_WORK  = 4'd8,
                     S_ARGMAX   = 4'd9,
                     S_SEND     = 4'd10;

    reg [3:0]  state;
    reg        layer;       // L states: 0 = L0, 1 = L1
    reg        step;        // LIF step
    reg        t2;          // T = 2 for the current utterance
    reg        utt_pending; // next frame starts an utterance (reset, UTT_RESET)
    reg [2:0]  s_in_q, b0_q, b1_q;
    reg [10:0] theta0_q, theta1_q;
    reg        tap_q;
    reg        union_q;     // this frame runs the union schedule

    wire l_first  = state == S_L_FIRST;
    wire fc_first = state == S_FC_FIRST;
    wire fc_state = fc_first || state == S_FC_WORK;

    // ---- IN: Type A (data-aligned items drive the PE sets directly; set 1 only in the
    // union schedule, which takes two bits of the row per cycle) ----
    wire                     a_valid, a_valid1, a_done;
    wire [BIT_IDX_W-1:0]     a_bit, a_bit1;
    /* verilator lint_off UNUSEDSIGNAL */  // per-item detail the schedule does not need
    wire                     a_row_last, a_last;
    wire [FEATURE_IDX_W-1:0] a_feat;
    /* verilator lint_on UNUSEDSIGNAL */
    rsnn_zs_a #(.NF(N_INPUT_BUF)) u_zs_a (
        .clk(clk), .rst_n(rst_n), .start(state == S_IN_FIRST), .split(union_q),
        .x(features),
        .row_rd(win_en), .row_addr(win_addr), .row_last(a_row_last), .valid(a_valid),
        .feat(a_feat), .bit_idx(a_bit), .valid1(a_valid1), .bit_idx1(a_bit1),
        .last(a_last), .done(a_done)
    );

    // ---- L0/L1 at T = 1: Type B, one unit per bank (address-aligned items) ----
    // L0 walks S0[t-1][0]; L1 the list {S1[t-1][0], S0[t][0]} (Wf1 then Wr1).
    wire [2*N_NEURONS-1:0] b_vec = {layer ? s1_k0 : {N_NEURONS{1'b0}}, s0_k0};
    wire                   b_start = l_first && !t2;
    wire                   b0_valid, b1_valid, b0_done, b1_done;
    /* verilator lint_off UNUSEDSIGNAL */  // idx bit 0 is the bank; walk end from `done`
    wire [L1_IDX_W-1:0]    b0_idx, b1_idx;
    wire                   b0_last, b1_last;
    /* verilator lint_on UNUSEDSIGNAL */
    rsnn_zs_b #(.WIDTH(2 * N_NEURONS), .PARITY(0)) u_zs_b0 (
        .clk(clk), .rst_n(rst_n), .start(b_start), .vec(b_vec),
        .valid(b0_valid), .idx(b0_idx), .last(b0_last), .done(b0_done)
    );
    rsnn_zs_b #(.WIDTH(2 * N_NEURONS), .PARITY(1)) u_zs_b1 (
        .clk(clk), .rst_n(rst_n), .start(b_start), .vec(b_vec),
        .valid(b1_valid), .idx(b1_idx), .last(b1_last), .done(b1_done)
    );

    // ---- L0/L1 at T = 2: Type D, 128 rows for L0, 256 for L1 (one unit each, as the
    // walk length is the unit's parameter); the union schedule walks only the rows
    // whose input spiked in either step ----
    wire                d0_valid, d0_en0, d0_en1, d0_done, d1_valid, d1_en0, d1_en1, d1_done;
    wire [NEURON_W-1:0] d0_idx;
    wire [L1_IDX_W-1:0] d1_idx;
    /* verilator lint_off UNUSEDSIGNAL */  // the walk end is taken from `done`
    wire                d0_last, d1_last;
    /* verilator lint_on UNUSEDSIGNAL */
    rsnn_zs_d #(.ROWS(N_NEURONS)) u_zs_d_l0 (
        .clk(clk), .rst_n(rst_n), .start(l_first && t2 && !layer), .skip(union_q),
        .spk0(s0_k0), .spk1(s0_k1),
        .valid(d0_valid), .idx(d0_idx), .en0(d0_en0), .en1(d0_en1), .last(d0_last),
        .done(d0_done)
    );
    rsnn_zs_d #(.ROWS(2 * N_NEURONS)) u_zs_d_l1 (
        .clk(clk), .rst_n(rst_n), .start(l_first && t2 && layer), .skip(union_q),
        .spk0({s1_k0, s0_k0}), .spk1({s1_k1, s0_k1}),
        .valid(d1_valid), .idx(d1_idx), .en0(d1_en0), .en1(d1_en1), .last(d1_last),
        .done(d1_done)
    );
    wire                d_valid = d0_valid || d1_valid;
    wire [L1_IDX_W-1:0] d_idx   = layer ? d1_idx : {1'b0, d0_idx};
    wire                d_en0   = d0_en0 || d1_en0;
    wire                d_en1   = d0_en1 || d1_en1;
    wire                l_walk_done = b0_done && b1_done && d0_done && d1_done;

    // ---- FC: Type C, both banks (address-aligned items); the union schedule overlaps
    // each group's read latency and close with the next group's walk ----
    wire                  c_valid0, c_valid1, c_dbl0, c_dbl1, c_close, c_clear;
    wire [GROUP_W-1:0]    c_cgrp;
    wire [WFC_ADDR_W-1:0] c_row0, c_row1;
    /* verilator lint_off UNUSEDSIGNAL */  // rows come as addresses; end via grp_close
    wire [NEURON_W-1:0]   c_j0, c_j1;
    wire [GROUP_W-1:0]    c_grp;
    wire                  c_last0, c_last1, c_first, c_done;
    /* verilator lint_on UNUSEDSIGNAL */
    rsnn_zs_c #(.N_IN(N_NEURONS), .GROUPS(N_GROUPS)) u_zs_c (
        .clk(clk), .rst_n(rst_n), .start(fc_first), .pipe(union_q),
        .spk0(s1_k0), .spk1(t2 ? s1_k1 : {N_NEURONS{1'b0}}),
        .valid0(c_valid0), .j0(c_j0), .dbl0(c_dbl0), .row0(c_row0), .last0(c_last0),
        .valid1(c_valid1), .j1(c_j1), .dbl1(c_dbl1), .row1(c_row1), .last1(c_last1),
        .grp(c_grp), .grp_first(c_first), .grp_close(c_close), .cgrp(c_cgrp),
        .acc_clear(c_clear), .done(c_done)
    );

    // ---- memory reads: row 64*layer + (j >> 1) of bank j & 1 (wrec; 64 is
    // ROWS_PER_MATRIX, L1's list starts with matrix 1, Wf1), zs_c rows (wfc) ----
    localparam [WREC_ADDR_W-1:0] L1_BASE = ROWS_PER_MATRIX[WREC_ADDR_W-1:0];
    wire [WREC_ADDR_W-1:0] l_base   = layer ? L1_BASE : {WREC_ADDR_W{1'b0}};
    wire [NEURON_W-1:0]    rec_pos0 = t2 ? d_idx[L1_IDX_W-1:1] : b0_idx[L1_IDX_W-1:1];
    wire [NEURON_W-1:0]    rec_pos1 = t2 ? d_idx[L1_IDX_W-1:1] : b1_idx[L1_IDX_W-1:1];
    assign wrec0_en   = b0_valid || (d_valid && !d_idx[0]);
    assign wrec0_addr = l_base + {{(WREC_ADDR_W - NEURON_W){1'b0}}, rec_pos0};
    assign wrec1_en   = b1_valid || (d_valid && d_idx[0]);
    assign wrec1_addr = l_base + {{(WREC_ADDR_W - NEURON_W){1'b0}}, rec_pos1};
    assign wfc0_en    = c_valid0;
    assign wfc0_addr  = c_row0;
    assign wfc1_en    = c_valid1;
    assign wfc1_addr  = c_row1;

    // ---- PE controls of address-aligned items, one cycle later to meet the data ----
    reg pe0_pend, pe1_pend, dbl0_q, dbl1_q, bank_q;
    always @(posedge clk) begin
        if (!rst_n) begin
            pe0_pend <= 1'b0;
            pe1_pend <= 1'b0;
            dbl0_q   <= 1'b0;
            dbl1_q   <= 1'b0;
            bank_q   <= 1'b0;
        end else begin
            pe0_pend <= b0_valid || d_en0 || c_valid0;
            pe1_pend <= b1_valid || d_en1 || c_valid1;
            dbl0_q   <= c_valid0 && c_dbl0;
            dbl1_q   <= c_valid1 && c_dbl1;
            bank_q   <= d_idx[0];
        end
    end

    wire [ROW_BITS-1:0] d_row = bank_q ? wrec1_rdata : wrec0_rdata;   // Type D broadcast
    assign acc_clear = state == S_IN_FIRST || l_first || c_clear;
    assign pe0_en    = a_valid || pe0_pend;
    assign pe0_shift = a_valid ? a_bit : {{(BIT_IDX_W - 1){1'b0}}, dbl0_q};
    assign pe0_row   = (state == S_IN_WORK) ? win_rdata
                     : fc_state ? wfc0_rdata
                     : t2 ? d_row : wrec0_rdata;
    assign pe1_en    = a_valid1 || pe1_pend;
    assign pe1_shift = a_valid1 ? a_bit1 : {{(BIT_IDX_W - 1){1'b0}}, dbl1_q};
    assign pe1_row   = (state == S_IN_WORK) ? win_rdata
                     : fc_state ? wfc1_rdata
                     : t2 ? d_row : wrec1_rdata;

    // ---- IN end, LIF, current selection ----
    // Iin = rsnn_input_scale(acc0 + acc1) (rsnn_state; acc1 = 0 in the paper schedule).
    assign iin_write    = state == S_IN_WORK && a_done;
    assign s_in         = s_in_q;
    assign lif_en       = state == S_L_LIF;
    assign lif_layer    = layer;
    assign lif_step     = step;
    assign lif_b        = layer ? b1_q : b0_q;
    assign lif_theta    = layer ? theta1_q : theta0_q;
    // T = 1: Iin (L0) + acc0 + acc1; T = 2: step k from set k; FC close: acc0 + acc1.
    // Nothing selected in other cycles (operand isolation: the current and LIF lanes
    // stay still while the accumulators work).
    assign cur_use_iin  = lif_en && !layer;
    assign cur_use_acc0 = (lif_en && !(t2 && step)) || c_close;
    assign cur_use_acc1 = (lif_en && !(t2 && !step)) || c_close;

    assign clear_state  = state == S_START && (utt_pending || frame_utt);
    assign scores_clear = state == S_START;
    assign group_close  = c_close;
    assign group        = c_cgrp;
    assign frame_take   = state == S_START;
    assign waiting      = state == S_WAIT;
    assign compute      = state != S_WAIT && state != S_START && state != S_SEND;
    assign send_start   = state == S_ARGMAX;
    assign frame_t2     = t2;
    assign frame_tap    = tap_q;
    assign frame_done   = state == S_SEND && send_done;

    always @(posedge clk) begin
        if (!rst_n) begin
            state       <= S_WAIT;
            utt_pending <= 1'b1;
            t2          <= 1'b0;
            layer       <= 1'b0;
            step        <= 1'b0;
            pred        <= {CLASS_W{1'b0}};
            tap_q       <= 1'b0;
            union_q     <= 1'b0;
        end else begin
            if (utt_reset) utt_pending <= 1'b1;
            case (state)
                S_WAIT: if (frame_valid) state <= S_START;
                S_START: begin
                    if (utt_pending || frame_utt) begin
                        t2 <= reg_t == 2'd2;
                        if (!utt_reset) utt_pending <= 1'b0;
                    end
                    s_in_q   <= reg_s_in;
                    b0_q     <= reg_b0;
                    b1_q     <= reg_b1;
                    theta0_q <= reg_theta0;
                    theta1_q <= reg_theta1;
                    tap_q    <= reg_spike_tap;
                    union_q  <= reg_schedule;
                    state    <= S_IN_FIRST;
                end
                S_IN_FIRST: state <= S_IN_WORK;
                // zs_a's done cycle is IN's last: Iin is written, then L0.
                S_IN_WORK: if (a_done) begin
                    layer <= 1'b0;
                    state <= S_L_FIRST;
                end
                // The walk's first done cycle adds the last rows; LIF follows.
                S_L_FIRST, S_L_WORK: begin
                    step  <= 1'b0;
                    state <= l_walk_done ? S_L_LIF : S_L_WORK;
                end
                S_L_LIF: begin
                    if (t2 && !step) begin
                        step <= 1'b1;
                    end else if (!layer) begin
                        layer <= 1'b1;
                        state <= S_L_FIRST;
                    end else begin
                        state <= S_FC_FIRST;
                    end
                end
                S_FC_FIRST: state <= S_FC_WORK;
                // zs_c's done cycle (after group 14's close) is the ARGMAX cycle.
                S_FC_WORK: if (c_close && c_cgrp == LAST_GROUP) state <= S_ARGMAX;
                S_ARGMAX: begin
                    pred  <= argmax_index;
                    state <= S_SEND;
                end
                S_SEND: if (send_done) state <= S_WAIT;
                default: state <= S_WAIT;
            endcase
        end
    end

    // ---- counters ----
    localparam integer CW         = COUNTER_BITS;
    localparam [CW-1:0] CNT_0     = {CW{1'b0}};
    localparam [CW-1:0] CNT_1     = {{(CW - 1){1'b0}}, 1'b1};
    // Rows a walk without skips reads per frame: every row of win, of both wrec banks
    // and of both wfc banks (skips = these - reads).
    localparam integer  WIN_ALL_I  = WIN_ROWS;
    localparam integer  WREC_ALL_I = 2 * WREC_ROWS;
    localparam integer  WFC_ALL_I  = 2 * WFC_ROWS;
    localparam [CW-1:0] WIN_ALL    = WIN_ALL_I[CW-1:0];
    localparam [CW-1:0] WREC_ALL   = WREC_ALL_I[CW-1:0];
    localparam [CW-1:0] WFC_ALL    = WFC_ALL_I[CW-1:0];

    reg [CW-1:0] c_in, c_l0, c_l1, c_fc, c_total, r_win, r_wrec, r_wfc;
    reg [CW-1:0] sp_l0k0, sp_l0k1, sp_l1k0, sp_l1k1;
    reg [CW-1:0] q_in, q_l0, q_l1, q_fc, q_total, q_win, q_wrec, q_wfc;
    reg [CW-1:0] q_sk_win, q_sk_wrec, q_sk_wfc, q_l0k0, q_l0k1, q_l1k0, q_l1k1;

    function [SPIKE_COUNT_W-1:0] popcount;
        input [N_NEURONS-1:0] v;
        integer k;
        begin
            popcount = {SPIKE_COUNT_W{1'b0}};
            for (k = 0; k < N_NEURONS; k = k + 1)
                popcount = popcount + {{(SPIKE_COUNT_W - 1){1'b0}}, v[k]};
        end
    endfunction

    wire in_phase = state == S_IN_FIRST || state == S_IN_WORK;
    wire l_phase  = l_first || state == S_L_WORK || state == S_L_LIF;
    wire fc_phase = fc_state;

    always @(posedge clk) begin
        if (!rst_n || state == S_START) begin
            c_in <= CNT_0; c_l0 <= CNT_0; c_l1 <= CNT_0; c_fc <= CNT_0; c_total <= CNT_0;
            r_win <= CNT_0; r_wrec <= CNT_0; r_wfc <= CNT_0;
            sp_l0k0 <= CNT_0; sp_l0k1 <= CNT_0; sp_l1k0 <= CNT_0; sp_l1k1 <= CNT_0;
        end else if (compute) begin
            c_total <= c_total + CNT_1;
            if (in_phase)           c_in <= c_in + CNT_1;
            if (l_phase && !layer)  c_l0 <= c_l0 + CNT_1;
            if (l_phase && layer)   c_l1 <= c_l1 + CNT_1;
            if (fc_phase)           c_fc <= c_fc + CNT_1;
            r_win  <= r_win + {{(CW - 1){1'b0}}, win_en};
            r_wrec <= r_wrec + {{(CW - 1){1'b0}}, wrec0_en} + {{(CW - 1){1'b0}}, wrec1_en};
            r_wfc  <= r_wfc + {{(CW - 1){1'b0}}, wfc0_en} + {{(CW - 1){1'b0}}, wfc1_en};
            if (lif_en) begin
                case ({layer, step})
                    2'b00: sp_l0k0 <= {{(CW - SPIKE_COUNT_W){1'b0}}, popcount(lif_spikes)};
                    2'b01: sp_l0k1 <= {{(CW - SPIKE_COUNT_W){1'b0}}, popcount(lif_spikes)};
                    2'b10: sp_l1k0 <= {{(CW - SPIKE_COUNT_W){1'b0}}, popcount(lif_spikes)};
                    default: sp_l1k1 <= {{(CW - SPIKE_COUNT_W){1'b0}}, popcount(lif_spikes)};
                endcase
            end
        end
    end

    // Latched in the ARGMAX cycle (the last compute cycle, counted here).
    always @(posedge clk) begin
        if (!rst_n) begin
            q_in <= CNT_0; q_l0 <= CNT_0; q_l1 <= CNT_0; q_fc <= CNT_0; q_total <= CNT_0;
            q_win <= CNT_0; q_wrec <= CNT_0; q_wfc <= CNT_0;
            q_sk_win <= CNT_0; q_sk_wrec <= CNT_0; q_sk_wfc <= CNT_0;
            q_l0k0 <= CNT_0; q_l0k1 <= CNT_0; q_l1k0 <= CNT_0; q_l1k1 <= CNT_0;
        end else if (state == S_ARGMAX) begin
            q_in      <= c_in;
            q_l0      <= c_l0;
            q_l1      <= c_l1;
            q_fc      <= c_fc;
            q_total   <= c_total + CNT_1;
            q_win     <= r_win;
            q_wrec    <= r_wrec;
            q_wfc     <= r_wfc;
            q_sk_win  <= WIN_ALL - r_win;
            q_sk_wrec <= WREC_ALL - r_wrec;   // 0 for Type D, which reads all 384
            q_sk_wfc  <= WFC_ALL - r_wfc;
            q_l0k0    <= sp_l0k0;
            q_l0k1    <= sp_l0k1;
            q_l1k0    <= sp_l1k0;
            q_l1k1    <= sp_l1k1;
        end
    end

    assign counters = {q_l1k1, q_l1k0, q_l0k1, q_l0k0, q_sk_wfc, q_sk_wrec, q_sk_win,
                       q_wfc, q_wrec, q_win, q_total, q_fc, q_l1, q_l0, q_in};
endmodule
