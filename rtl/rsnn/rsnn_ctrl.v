// rsnn frame controller: sequences IN, L0, L1, FC and ARGMAX of one frame with the
// exact cycle counts of docs/rsnn.md, walks the zero-skip lists, drives the weight
// memories and the lane datapath (rsnn_state), counts the per-frame counters, then
// hands the frame to the output sender. See docs/rsnn_top.md for the state chart.
module rsnn_ctrl (
    input  wire              clk,
    input  wire              rst_n,
    // input packet (rsnn_in_rx): held until `frame_take`
    input  wire              frame_valid,
    input  wire              frame_utt,     // TUSER of its first beat
    input  wire [48*8-1:0]   features,
    output wire              frame_take,
    output wire              waiting,       // ready to receive the next packet
    // registers
    input  wire              utt_reset,     // CTRL.UTT_RESET pulse
    input  wire [1:0]        reg_t,
    input  wire [2:0]        reg_s_in,
    input  wire [2:0]        reg_b0,
    input  wire [2:0]        reg_b1,
    input  wire [10:0]       reg_theta0,
    input  wire [10:0]       reg_theta1,
    input  wire              reg_spike_tap,
    // weight memories (read only; one cycle latency)
    output wire              win_en,
    output wire [5:0]        win_addr,
    input  wire [511:0]      win_rdata,
    output wire              wrec0_en,
    output wire [7:0]        wrec0_addr,
    input  wire [511:0]      wrec0_rdata,
    output wire              wrec1_en,
    output wire [7:0]        wrec1_addr,
    input  wire [511:0]      wrec1_rdata,
    output wire              wfc0_en,
    output wire [9:0]        wfc0_addr,
    input  wire [511:0]      wfc0_rdata,
    output wire              wfc1_en,
    output wire [9:0]        wfc1_addr,
    input  wire [511:0]      wfc1_rdata,
    output wire              compute,       // memories belong to the controller
    // lane datapath
    output wire              clear_state,
    output wire              acc_clear,
    output wire              add0_en,
    output wire [2:0]        add0_shift,
    output wire              add0_dbl,
    output wire [511:0]      add0_row,
    output wire              add1_en,
    output wire              add1_dbl,
    output wire [511:0]      add1_row,
    output wire              iin_write,
    output wire [2:0]        s_in,
    output wire              lif_en,
    output wire              lif_layer,
    output wire              lif_step,
    output wire              lif_pair,
    output wire [2:0]        lif_b,
    output wire [10:0]       lif_theta,
    input  wire [127:0]      lif_spikes,
    input  wire [127:0]      s0_k0,
    input  wire [127:0]      s0_k1,
    input  wire [127:0]      s1_k0,
    input  wire [127:0]      s1_k1,
    // class scores and argmax
    output wire              scores_clear,
    output wire              group_close,
    output wire [3:0]        group,
    input  wire [5:0]        argmax_index,
    // output sender
    output wire              send_start,
    output wire              frame_t2,      // T of this frame is 2
    output wire              frame_tap,     // send the spike tap for this frame
    output reg  [5:0]        pred,
    input  wire              send_done,
    output wire              frame_done,
    // counters of the last completed frame, 16 bits each, in docs/rsnn.md order
    output wire [15*16-1:0]  counters
);
    localparam [3:0] S_WAIT     = 4'd0,
                     S_START    = 4'd1,
                     S_IN_FIRST = 4'd2,
                     S_IN_WORK  = 4'd3,
                     S_IN_LAST  = 4'd4,
                     S_L_FIRST  = 4'd5,
                     S_L_WORK   = 4'd6,
                     S_L_LIF    = 4'd7,
                     S_FC_FIRST = 4'd8,
                     S_FC_WORK  = 4'd9,
                     S_FC_CLOSE = 4'd10,
                     S_ARGMAX   = 4'd11,
                     S_SEND     = 4'd12;

    reg [3:0]  state;
    reg        layer;       // L states: 0 = L0, 1 = L1
    reg        step;        // LIF step
    reg [3:0]  grp;         // FC group
    reg        t2;          // T = 2 for the current utterance
    reg        utt_pending; // next frame starts an utterance (reset, UTT_RESET)
    reg [2:0]  s_in_q, b0_q, b1_q;
    reg [10:0] theta0_q, theta1_q;
    reg        tap_q;

    // ---- Type A walker (IN) ----
    reg [47:0] feat_left;   // nonzero features not yet read
    reg [7:0]  bits_left;   // bits of the feature whose row is on the memory output
    reg [47:0] feat_nz;
    integer i;
    always @* begin
        for (i = 0; i < 48; i = i + 1) feat_nz[i] = |features[8*i +: 8];
    end

    function [6:0] lowest128;   // index of the lowest set bit (0 if none)
        input [127:0] v;
        integer k;
        begin
            lowest128 = 7'd0;
            for (k = 127; k >= 0; k = k - 1)
                if (v[k]) lowest128 = k[6:0];
        end
    endfunction

    function [5:0] lowest48;
        input [47:0] v;
        integer k;
        begin
            lowest48 = 6'd0;
            for (k = 47; k >= 0; k = k - 1)
                if (v[k]) lowest48 = k[5:0];
        end
    endfunction

    function [2:0] lowest8;
        input [7:0] v;
        integer k;
        begin
            lowest8 = 3'd0;
            for (k = 7; k >= 0; k = k - 1)
                if (v[k]) lowest8 = k[2:0];
        end
    endfunction

    wire [47:0] feat_cur  = (state == S_IN_FIRST) ? feat_nz : feat_left;
    wire [5:0]  feat_idx  = lowest48(feat_cur);
    wire        in_work   = state == S_IN_WORK;
    wire [2:0]  bit_idx   = lowest8(bits_left);
    wire [7:0]  bits_rest = bits_left & (bits_left - 8'd1);
    wire        feat_read = (state == S_IN_FIRST || (in_work && bits_rest == 8'd0))
                            && feat_cur != 48'd0;
    wire [5:0]  feat_sel  = feat_idx;
    wire [7:0]  feat_bits = features[8*feat_sel +: 8];

    // ---- Type B / C walkers: set 0 even inputs (bank 0), set 1 odd inputs (bank 1) ----
    function [63:0] evens;
        input [127:0] v;
        integer k;
        begin
            for (k = 0; k < 64; k = k + 1) evens[k] = v[2*k];
        end
    endfunction
    function [63:0] odds;
        input [127:0] v;
        integer k;
        begin
            for (k = 0; k < 64; k = k + 1) odds[k] = v[2*k+1];
        end
    endfunction

    wire [127:0] m_nz   = s1_k0 | (t2 ? s1_k1 : 128'd0);   // merged spike m != 0
    wire [127:0] m_two  = t2 ? (s1_k0 & s1_k1) : 128'd0;   // m == 2
    wire         in_fc  = state == S_FC_FIRST || state == S_FC_WORK;
    // L0: S0[t-1][0]; L1: S0[t][0] then S1[t-1][0] (list position p -> row 64 + p);
    // FC: m != 0.
    wire [127:0] src0 = in_fc ? {64'd0, evens(m_nz)}
                      : (layer ? {evens(s1_k0), evens(s0_k0)} : {64'd0, evens(s0_k0)});
    wire [127:0] src1 = in_fc ? {64'd0, odds(m_nz)}
                      : (layer ? {odds(s1_k0), odds(s0_k0)} : {64'd0, odds(s0_k0)});
    wire         first_b = state == S_L_FIRST || state == S_FC_FIRST;
    reg  [127:0] walk0, walk1;
    wire [127:0] cur0 = first_b ? src0 : walk0;
    wire [127:0] cur1 = first_b ? src1 : walk1;
    wire [6:0]   p0 = lowest128(cur0);
    wire [6:0]   p1 = lowest128(cur1);
    wire         walking = (state == S_L_FIRST || state == S_L_WORK) && !t2 || in_fc;
    wire         rd0 = walking && cur0 != 128'd0;
    wire         rd1 = walking && cur1 != 128'd0;
    reg          pend0, pend1, dbl0, dbl1;

    // ---- Type D walker (T = 2 layers): every row j ascending, bank j & 1 ----
    reg  [8:0]   j;
    wire [8:0]   rows_d  = layer ? 9'd256 : 9'd128;
    wire         dense   = (state == S_L_FIRST || state == S_L_WORK) && t2;
    wire [8:0]   j_cur   = (state == S_L_FIRST) ? 9'd0 : j;
    wire         rd_d    = dense && j_cur != rows_d;
    wire [255:0] spk_d0  = layer ? {s1_k0, s0_k0} : {128'd0, s0_k0};
    wire [255:0] spk_d1  = layer ? {s1_k1, s0_k1} : {128'd0, s0_k1};
    reg          pend_d, pend_bank, pend_sp0, pend_sp1;

    // ---- memory addresses ----
    wire [7:0] l_base  = layer ? 8'd64 : 8'd0;
    wire [7:0] row_b0  = l_base + {1'b0, p0};
    wire [7:0] row_b1  = l_base + {1'b0, p1};
    wire [7:0] row_d   = l_base + j_cur[8:1];
    wire [9:0] row_fc0 = {p0[5:0], 4'd0} - {4'd0, p0[5:0]} + {6'd0, grp};   // 15 p + g
    wire [9:0] row_fc1 = {p1[5:0], 4'd0} - {4'd0, p1[5:0]} + {6'd0, grp};

    assign win_en     = feat_read;
    assign win_addr   = feat_sel;
    assign wrec0_en   = (!in_fc && rd0) || (rd_d && !j_cur[0]);
    assign wrec0_addr = dense ? row_d : row_b0;
    assign wrec1_en   = (!in_fc && rd1) || (rd_d && j_cur[0]);
    assign wrec1_addr = dense ? row_d : row_b1;
    assign wfc0_en    = in_fc && rd0;
    assign wfc0_addr  = row_fc0;
    assign wfc1_en    = in_fc && rd1;
    assign wfc1_addr  = row_fc1;

    // ---- datapath controls ----
    wire [511:0] row_d_data = pend_bank ? wrec1_rdata : wrec0_rdata;
    wire         in_l_work  = state == S_L_WORK;
    wire         fc_work    = state == S_FC_WORK;
    assign acc_clear  = state == S_IN_FIRST || state == S_L_FIRST || state == S_FC_FIRST;
    assign add0_en    = in_work || ((in_l_work || fc_work) && (t2 && !fc_work ? pend_d && pend_sp0
                                                                           : pend0));
    assign add0_shift = in_work ? bit_idx : 3'd0;
    assign add0_dbl   = fc_work && dbl0;
    assign add0_row   = in_work ? win_rdata
                      : fc_work ? wfc0_rdata
                      : (t2 ? row_d_data : wrec0_rdata);
    assign add1_en    = (in_l_work || fc_work) && (t2 && !fc_work ? pend_d && pend_sp1 : pend1);
    assign add1_dbl   = fc_work && dbl1;
    assign add1_row   = fc_work ? wfc1_rdata : (t2 ? row_d_data : wrec1_rdata);
    assign iin_write  = state == S_IN_LAST;
    assign s_in       = s_in_q;
    assign lif_en     = state == S_L_LIF;
    assign lif_layer  = layer;
    assign lif_step   = step;
    assign lif_pair   = !t2;
    assign lif_b      = layer ? b1_q : b0_q;
    assign lif_theta  = layer ? theta1_q : theta0_q;
    assign clear_state  = state == S_START && (utt_pending || frame_utt);
    assign scores_clear = state == S_START;
    assign group_close  = state == S_FC_CLOSE;
    assign group        = grp;
    assign frame_take   = state == S_START;
    assign waiting      = state == S_WAIT;
    assign compute      = state != S_WAIT && state != S_START && state != S_SEND;
    assign send_start   = state == S_ARGMAX;
    assign frame_t2     = t2;
    assign frame_tap    = tap_q;
    assign frame_done   = state == S_SEND && send_done;

    // Work ends in the cycle that issues no read.
    wire l_more  = t2 ? rd_d : (rd0 || rd1);
    wire fc_more = rd0 || rd1;

    always @(posedge clk) begin
        if (!rst_n) begin
            state       <= S_WAIT;
            utt_pending <= 1'b1;
            t2          <= 1'b0;
            layer       <= 1'b0;
            step        <= 1'b0;
            grp         <= 4'd0;
            pend0       <= 1'b0;
            pend1       <= 1'b0;
            pend_d      <= 1'b0;
            pred        <= 6'd0;
            tap_q       <= 1'b0;
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
                    state    <= S_IN_FIRST;
                end
                S_IN_FIRST, S_IN_WORK: begin
                    if (feat_read) begin
                        feat_left <= feat_cur & ~(48'd1 << feat_sel);
                        bits_left <= feat_bits;
                    end else if (in_work) begin
                        bits_left <= bits_rest;
                    end
                    if (state == S_IN_FIRST) state <= feat_read ? S_IN_WORK : S_IN_LAST;
                    else if (bits_rest == 8'd0 && !feat_read) state <= S_IN_LAST;
                end
                S_IN_LAST: begin
                    layer <= 1'b0;
                    state <= S_L_FIRST;
                end
                S_L_FIRST, S_L_WORK: begin
                    walk0     <= cur0 & ~(128'd1 << p0);
                    walk1     <= cur1 & ~(128'd1 << p1);
                    pend0     <= rd0;
                    pend1     <= rd1;
                    j         <= j_cur + 9'd1;
                    pend_d    <= rd_d;
                    pend_bank <= j_cur[0];
                    pend_sp0  <= spk_d0[j_cur[7:0]];
                    pend_sp1  <= spk_d1[j_cur[7:0]];
                    if (!l_more) begin
                        state <= S_L_LIF;
                        step  <= 1'b0;
                    end else begin
                        state <= S_L_WORK;
                    end
                end
                S_L_LIF: begin
                    if (t2 && !step) begin
                        step <= 1'b1;
                    end else if (!layer) begin
                        layer <= 1'b1;
                        state <= S_L_FIRST;
                    end else begin
                        grp   <= 4'd0;
                        state <= S_FC_FIRST;
                    end
                end
                S_FC_FIRST, S_FC_WORK: begin
                    walk0 <= cur0 & ~(128'd1 << p0);
                    walk1 <= cur1 & ~(128'd1 << p1);
                    pend0 <= rd0;
                    pend1 <= rd1;
                    dbl0  <= m_two[{p0[5:0], 1'b0}];
                    dbl1  <= m_two[{p1[5:0], 1'b1}];
                    state <= fc_more ? S_FC_WORK : S_FC_CLOSE;
                end
                S_FC_CLOSE: begin
                    grp   <= grp + 4'd1;
                    state <= (grp == 4'd14) ? S_ARGMAX : S_FC_FIRST;
                end
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
    reg [15:0] c_in, c_l0, c_l1, c_fc, c_total, r_win, r_wrec, r_wfc;
    reg [15:0] sp_l0k0, sp_l0k1, sp_l1k0, sp_l1k1;
    reg [15:0] q_in, q_l0, q_l1, q_fc, q_total, q_win, q_wrec, q_wfc;
    reg [15:0] q_sk_win, q_sk_wrec, q_sk_wfc, q_l0k0, q_l0k1, q_l1k0, q_l1k1;

    function [7:0] popcount128;
        input [127:0] v;
        integer k;
        begin
            popcount128 = 8'd0;
            for (k = 0; k < 128; k = k + 1) popcount128 = popcount128 + {7'd0, v[k]};
        end
    endfunction

    wire in_phase = state == S_IN_FIRST || state == S_IN_WORK || state == S_IN_LAST;
    wire l_phase  = state == S_L_FIRST || state == S_L_WORK || state == S_L_LIF;
    wire fc_phase = state == S_FC_FIRST || state == S_FC_WORK || state == S_FC_CLOSE;

    always @(posedge clk) begin
        if (!rst_n || state == S_START) begin
            c_in <= 16'd0; c_l0 <= 16'd0; c_l1 <= 16'd0; c_fc <= 16'd0; c_total <= 16'd0;
            r_win <= 16'd0; r_wrec <= 16'd0; r_wfc <= 16'd0;
            sp_l0k0 <= 16'd0; sp_l0k1 <= 16'd0; sp_l1k0 <= 16'd0; sp_l1k1 <= 16'd0;
        end else if (compute) begin
            c_total <= c_total + 16'd1;
            if (in_phase)           c_in <= c_in + 16'd1;
            if (l_phase && !layer)  c_l0 <= c_l0 + 16'd1;
            if (l_phase && layer)   c_l1 <= c_l1 + 16'd1;
            if (fc_phase)           c_fc <= c_fc + 16'd1;
            r_win  <= r_win + {15'd0, win_en};
            r_wrec <= r_wrec + {15'd0, wrec0_en} + {15'd0, wrec1_en};
            r_wfc  <= r_wfc + {15'd0, wfc0_en} + {15'd0, wfc1_en};
            if (lif_en) begin
                case ({layer, step})
                    2'b00: sp_l0k0 <= {8'd0, popcount128(lif_spikes)};
                    2'b01: sp_l0k1 <= {8'd0, popcount128(lif_spikes)};
                    2'b10: sp_l1k0 <= {8'd0, popcount128(lif_spikes)};
                    default: sp_l1k1 <= {8'd0, popcount128(lif_spikes)};
                endcase
            end
        end
    end

    // Latched in the ARGMAX cycle (the last compute cycle, counted here).
    always @(posedge clk) begin
        if (!rst_n) begin
            q_in <= 16'd0; q_l0 <= 16'd0; q_l1 <= 16'd0; q_fc <= 16'd0; q_total <= 16'd0;
            q_win <= 16'd0; q_wrec <= 16'd0; q_wfc <= 16'd0;
            q_sk_win <= 16'd0; q_sk_wrec <= 16'd0; q_sk_wfc <= 16'd0;
            q_l0k0 <= 16'd0; q_l0k1 <= 16'd0; q_l1k0 <= 16'd0; q_l1k1 <= 16'd0;
        end else if (state == S_ARGMAX) begin
            q_in      <= c_in;
            q_l0      <= c_l0;
            q_l1      <= c_l1;
            q_fc      <= c_fc;
            q_total   <= c_total + 16'd1;
            q_win     <= r_win;
            q_wrec    <= r_wrec;
            q_wfc     <= r_wfc;
            q_sk_win  <= 16'd48 - r_win;
            q_sk_wrec <= t2 ? 16'd0 : 16'd384 - r_wrec;
            q_sk_wfc  <= 16'd1920 - r_wfc;
            q_l0k0    <= sp_l0k0;
            q_l0k1    <= sp_l0k1;
            q_l1k0    <= sp_l1k0;
            q_l1k1    <= sp_l1k1;
        end
    end

    assign counters = {q_l1k1, q_l1k0, q_l0k1, q_l0k0, q_sk_wfc, q_sk_wrec, q_sk_win,
                       q_wfc, q_wrec, q_win, q_total, q_fc, q_l1, q_l0, q_in};
endmodule
