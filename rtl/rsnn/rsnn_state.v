// Lane datapath of the rsnn core (128 lanes, lane n = neuron n / PE n):
// the two PE-set accumulators, the input current Iin, the membranes U0/U1 and the
// spike registers S0/S1 of both steps. Spikes are updated in place: a layer's LIF
// cycles come after every read of its previous-frame spikes, so one register per
// (layer, step) holds S[t-1] until the layer's LIF and S[t] after it.
module rsnn_state (
    input  wire             clk,
    input  wire             rst_n,
    input  wire             clear_state,   // utterance start: U = 0, S = 0
    // PE set 0: acc0 += (w << shift) << dbl; set 1: acc1 += w << dbl
    input  wire             acc_clear,
    input  wire             add0_en,
    input  wire [2:0]       add0_shift,
    input  wire             add0_dbl,
    input  wire [511:0]     add0_row,
    input  wire             add1_en,
    input  wire             add1_dbl,
    input  wire [511:0]     add1_row,
    // Iin = sat_12(acc0 >>> s_in)
    input  wire             iin_write,
    input  wire [2:0]       s_in,
    // One LIF step of one layer; current = acc0 + acc1 (pair, T = 1) or acc[step]
    input  wire             lif_en,
    input  wire             lif_layer,
    input  wire             lif_step,
    input  wire             lif_pair,
    input  wire [2:0]       lif_b,
    input  wire [10:0]      lif_theta,
    output wire [127:0]     lif_spikes,    // spikes computed in this LIF cycle
    output wire [127:0]     s0_k0,
    output wire [127:0]     s0_k1,
    output wire [127:0]     s1_k0,
    output wire [127:0]     s1_k1,
    output wire [128*13-1:0] z             // acc0 + acc1 per lane (FC group close)
);
    function signed [11:0] sat12;
        input signed [19:0] v;
        begin
            if (v > 20'sd2047)       sat12 = 12'sd2047;
            else if (v < -20'sd2048) sat12 = -12'sd2048;
            else                     sat12 = v[11:0];
        end
    endfunction

    genvar n;
    generate
        for (n = 0; n < 128; n = n + 1) begin : lane
            reg signed [17:0] acc0;   // IN needs 18 bits (|A| <= 81600)
            reg signed [12:0] acc1;   // at most 256 terms of -8..7 (or 64 of 2w)
            reg signed [11:0] iin;
            reg signed [11:0] u0;
            reg signed [11:0] u1;
            reg               s0k0, s0k1, s1k0, s1k1;

            wire signed [3:0]  w0 = add0_row[4*n+3:4*n];
            wire signed [3:0]  w1 = add1_row[4*n+3:4*n];
            wire        [3:0]  sh0 = {1'b0, add0_shift} + {3'b0, add0_dbl};
            wire signed [17:0] t0 = $signed({{14{w0[3]}}, w0}) <<< sh0;
            wire signed [12:0] t1 = $signed({{9{w1[3]}}, w1}) <<< add1_dbl;

            wire signed [19:0] acc_sum  = {{2{acc0[17]}}, acc0} + {{7{acc1[12]}}, acc1};
            wire signed [19:0] acc_step = lif_step ? {{7{acc1[12]}}, acc1}
                                                   : {{2{acc0[17]}}, acc0};
            wire signed [19:0] cur      = lif_pair ? acc_sum : acc_step;
            wire signed [11:0] i_layer  = lif_layer ? sat12(cur)
                                                    : sat12(cur + {{8{iin[11]}}, iin});
            wire signed [11:0] u_prev   = lif_layer ? u1 : u0;
            wire signed [11:0] u_leak   = u_prev - (u_prev >>> lif_b);
            wire signed [11:0] u_new    = sat12({{8{u_leak[11]}}, u_leak}
                                                + {{8{i_layer[11]}}, i_layer});
            wire               spike    = u_new >= $signed({1'b0, lif_theta});
            wire signed [17:0] a_shift  = acc0 >>> s_in;

            always @(posedge clk) begin
                if (acc_clear) begin
                    acc0 <= 18'sd0;
                    acc1 <= 13'sd0;
                end else begin
                    if (add0_en) acc0 <= acc0 + t0;
                    if (add1_en) acc1 <= acc1 + t1;
                end
                if (iin_write) iin <= sat12({{2{a_shift[17]}}, a_shift});
            end

            always @(posedge clk) begin
                if (!rst_n || clear_state) begin
                    u0   <= 12'sd0;
                    u1   <= 12'sd0;
                    s0k0 <= 1'b0;
                    s0k1 <= 1'b0;
                    s1k0 <= 1'b0;
                    s1k1 <= 1'b0;
                end else if (lif_en) begin
                    if (lif_layer) u1 <= spike ? 12'sd0 : u_new;
                    else           u0 <= spike ? 12'sd0 : u_new;
                    case ({lif_layer, lif_step})
                        2'b00: s0k0 <= spike;
                        2'b01: s0k1 <= spike;
                        2'b10: s1k0 <= spike;
                        default: s1k1 <= spike;
                    endcase
                end
            end

            assign lif_spikes[n]       = spike;
            assign s0_k0[n]            = s0k0;
            assign s0_k1[n]            = s0k1;
            assign s1_k0[n]            = s1k0;
            assign s1_k1[n]            = s1k1;
            assign z[13*n+12:13*n]     = acc_sum[12:0];
        end
    endgenerate
endmodule
