// Datapath invariants of the rsnn lane datapath (rtl/rsnn/rsnn_state.v), from the
// arithmetic of docs/rsnn.md: the PE accumulators never wrap (their widths hold every
// sum the schedule makes), the L1 current and the FC group partial lie in
// -2048..1792 (so their 12-bit saturation is a no-op), the membrane update is the
// saturating LIF formula (no wrap), and after a LIF step every membrane of the layer is
// below theta with the spiking neurons reset to 0. Bound by rsnn_state_bind.sv. Each
// assertion NAME has a cover NAME_C that counts the cycles in which it checked something.
`ifndef SPIKEDV_SVA_MACROS
`define SPIKEDV_SVA_MACROS
`ifdef FORMAL
`define SVA_MSG(args)
`else
`define SVA_MSG(args) else $error args
`endif
`endif

module rsnn_state_checker #(
    parameter integer LANES  = 128,
    parameter integer ACC0_W = 18,
    parameter integer ACC1_W = 18
) (
    input wire                    clk,
    input wire                    rst_n,
    input wire                    acc_clear,
    input wire                    pe0_en,
    input wire [2:0]              pe0_shift,
    input wire [LANES*4-1:0]      pe0_row,
    input wire                    pe1_en,
    input wire [2:0]              pe1_shift,
    input wire [LANES*4-1:0]      pe1_row,
    input wire [LANES*ACC0_W-1:0] acc0,
    input wire [LANES*ACC1_W-1:0] acc1,
    input wire                    cur_use_acc0,
    input wire                    cur_use_acc1,
    input wire                    lif_en,
    input wire                    lif_layer,
    input wire                    lif_step,
    input wire [2:0]              lif_b,
    input wire [10:0]             lif_theta,
    input wire [LANES*12-1:0]     u0,
    input wire [LANES*12-1:0]     u1,
    input wire [LANES*12-1:0]     current,
    input wire [LANES*12-1:0]     u_new,
    input wire [LANES-1:0]        lif_spikes,
    input wire [LANES-1:0]        s0k0,
    input wire [LANES-1:0]        s0k1,
    input wire [LANES-1:0]        s1k0,
    input wire [LANES-1:0]        s1k1
);
    localparam integer WIDE = 24;   // wider than any sum formed here
    localparam signed [WIDE-1:0] Z_MIN = -2048, Z_MAX = 1792;

    reg seen_reset;
    reg armed;
    initial begin
        seen_reset = 1'b0;
        armed      = 1'b0;
    end
    reg             p_lif_en, p_layer, p_step;
    reg [12:0]      p_theta;
    always @(posedge clk) begin
        seen_reset <= seen_reset || !rst_n;
        armed      <= rst_n && seen_reset;
        p_lif_en   <= lif_en;
        p_layer    <= lif_layer;
        p_step     <= lif_step;
        p_theta    <= {2'b00, lif_theta};
    end

    localparam signed [WIDE-1:0] LO0 = -(24'sd1 <<< (ACC0_W - 1)), HI0 = (24'sd1 <<< (ACC0_W - 1)) - 24'sd1;
    localparam signed [WIDE-1:0] LO1 = -(24'sd1 <<< (ACC1_W - 1)), HI1 = (24'sd1 <<< (ACC1_W - 1)) - 24'sd1;

    // Per lane, exact in WIDE bits: next accumulator values, layer current / FC partial,
    // the LIF reference; one flag vector per rule.
    wire [LANES-1:0] wrap0, wrap1, range_l1, range_fc, lif_bad, above, spk_nz;
    wire [LANES-1:0] spk_reg = p_layer ? (p_step ? s1k1 : s1k0) : (p_step ? s0k1 : s0k0);
    wire [LANES*12-1:0] u_prev = lif_layer ? u1 : u0;
    wire [LANES*12-1:0] u_done = p_layer ? u1 : u0;
    genvar n;
    generate
        for (n = 0; n < LANES; n = n + 1) begin : g_lane
            wire signed [WIDE-1:0] a0  = {{(WIDE - ACC0_W){acc0[ACC0_W * n + ACC0_W - 1]}},
                                          acc0[ACC0_W * n +: ACC0_W]};
            wire signed [WIDE-1:0] a1  = {{(WIDE - ACC1_W){acc1[ACC1_W * n + ACC1_W - 1]}},
                                          acc1[ACC1_W * n +: ACC1_W]};
            wire signed [WIDE-1:0] op0 = {{(WIDE - 4){pe0_row[4 * n + 3]}}, pe0_row[4 * n +: 4]}
                                         <<< pe0_shift;
            wire signed [WIDE-1:0] op1 = {{(WIDE - 4){pe1_row[4 * n + 3]}}, pe1_row[4 * n +: 4]}
                                         <<< pe1_shift;
            wire signed [WIDE-1:0] nx0 = (acc_clear ? 24'sd0 : a0) + op0;
            wire signed [WIDE-1:0] nx1 = (acc_clear ? 24'sd0 : a1) + op1;
            wire signed [WIDE-1:0] z   = (cur_use_acc0 ? a0 : 24'sd0) + (cur_use_acc1 ? a1 : 24'sd0);
            wire signed [WIDE-1:0] zfc = a0 + a1;
            wire signed [WIDE-1:0] up  = {{(WIDE - 12){u_prev[12 * n + 11]}}, u_prev[12 * n +: 12]};
            wire signed [WIDE-1:0] cur = {{(WIDE - 12){current[12 * n + 11]}}, current[12 * n +: 12]};
            wire signed [WIDE-1:0] un  = {{(WIDE - 12){u_new[12 * n + 11]}}, u_new[12 * n +: 12]};
            wire signed [WIDE-1:0] ud  = {{(WIDE - 12){u_done[12 * n + 11]}}, u_done[12 * n +: 12]};
            wire signed [WIDE-1:0] sum = up - (up >>> lif_b) + cur;
            wire signed [WIDE-1:0] sat = sum > 24'sd2047 ? 24'sd2047
                                       : (sum < -24'sd2048 ? -24'sd2048 : sum);
            wire                   fire = sat >= $signed({13'd0, lif_theta});
            assign wrap0[n]    = nx0 < LO0 || nx0 > HI0;
            assign wrap1[n]    = nx1 < LO1 || nx1 > HI1;
            assign range_l1[n] = z < Z_MIN || z > Z_MAX;
            assign range_fc[n] = zfc < Z_MIN || zfc > Z_MAX;
            assign lif_bad[n]  = lif_spikes[n] != fire || un != (fire ? 24'sd0 : sat);
            assign above[n]    = ud >= $signed({{(WIDE - 13){1'b0}}, p_theta});
            assign spk_nz[n]   = spk_reg[n] && ud != 24'sd0;
        end
    endgenerate

    wire             fc_close = cur_use_acc0 && cur_use_acc1 && !lif_en;

    always @(posedge clk) begin
        if (armed && rst_n) begin
            if (pe0_en) begin
                // PE set 0's accumulators never wrap: every sum fits ACC0_W bits.
                RSNN_ACC0_NO_WRAP: assert (wrap0 == {LANES{1'b0}})
                    `SVA_MSG(("RSNN_ACC0_NO_WRAP: PE set 0 accumulator overflows %0d bits in lanes %h",
                              ACC0_W, wrap0));
            end
            RSNN_ACC0_NO_WRAP_C: cover (pe0_en);
            if (pe1_en) begin
                // PE set 1's accumulators never wrap.
                RSNN_ACC1_NO_WRAP: assert (wrap1 == {LANES{1'b0}})
                    `SVA_MSG(("RSNN_ACC1_NO_WRAP: PE set 1 accumulator overflows %0d bits in lanes %h",
                              ACC1_W, wrap1));
            end
            RSNN_ACC1_NO_WRAP_C: cover (pe1_en);
            if (lif_en && lif_layer) begin
                // The L1 current (sum of the selected partials) lies in -2048..1792.
                RSNN_L1_CURRENT_RANGE: assert (range_l1 == {LANES{1'b0}})
                    `SVA_MSG(("RSNN_L1_CURRENT_RANGE: L1 current outside -2048..1792 in lanes %h",
                              range_l1));
            end
            RSNN_L1_CURRENT_RANGE_C: cover (lif_en && lif_layer);
            if (fc_close) begin
                // The FC group partial z = acc0 + acc1 lies in -2048..1792.
                RSNN_FC_PARTIAL_RANGE: assert (range_fc == {LANES{1'b0}})
                    `SVA_MSG(("RSNN_FC_PARTIAL_RANGE: FC group partial outside -2048..1792 in lanes %h",
                              range_fc));
            end
            RSNN_FC_PARTIAL_RANGE_C: cover (fc_close);
            if (lif_en) begin
                // The new membrane is sat_12(u - (u >>> b) + I): saturated, never
                // wrapped; a lane at or above theta spikes and is reset to 0.
                RSNN_LIF_SATURATES: assert (lif_bad == {LANES{1'b0}})
                    `SVA_MSG(("RSNN_LIF_SATURATES: membrane update differs from sat_12(leak(u) + I) in lanes %h",
                              lif_bad));
            end
            RSNN_LIF_SATURATES_C: cover (lif_en);
            if (p_lif_en) begin
                // After a LIF step every membrane of the layer is below theta.
                RSNN_MEMBRANE_BELOW_THETA: assert (above == {LANES{1'b0}})
                    `SVA_MSG(("RSNN_MEMBRANE_BELOW_THETA: membranes at or above theta %0d after a LIF step in lanes %h",
                              p_theta, above));
                // ... and a neuron that spiked in it holds 0.
                RSNN_SPIKE_RESETS: assert (spk_nz == {LANES{1'b0}})
                    `SVA_MSG(("RSNN_SPIKE_RESETS: spiking neurons with a nonzero membrane in lanes %h",
                              spk_nz));
            end
            RSNN_MEMBRANE_BELOW_THETA_C: cover (p_lif_en);
            RSNN_SPIKE_RESETS_C: cover (p_lif_en && spk_reg != {LANES{1'b0}});
        end
    end
endmodule
