// Spike weighting module: result = sat_8((sum_i bits[i] * weights[i]) >>> shift)
// (8 = CURRENT_BITS). Each weight is ANDed with its spike bit, sign-extended to SUM_W bits
// and summed exactly in a carry-save adder tree (|sum| <= K*128 fits in SUM_W bits).
// weights: K int8 lanes (LANE_BITS), lane i in bits [8i+7:8i].
module qclif_spike_weighting #(
    parameter integer K       = 200,
    parameter integer SHIFT_W = 4
) (
    bits, weights, shift, result
);
    `include "qclif_dims.vh"   // dimensions, generated from model/qclif.py

    input  wire [K-1:0]            bits;
    input  wire [LANE_BITS*K-1:0]  weights;
    input  wire [SHIFT_W-1:0]      shift;
    output wire [CURRENT_BITS-1:0] result;

    localparam integer SUM_W     = LANE_BITS + $clog2(K) + 1;
    // the range of sat_8 (8 = CURRENT_BITS): -128..127, as SUM_W-bit values
    localparam integer CUR_MAX_I = (1 << (CURRENT_BITS - 1)) - 1;
    localparam integer CUR_MIN_I = -(1 << (CURRENT_BITS - 1));
    localparam signed [SUM_W-1:0] CUR_MAX = CUR_MAX_I[SUM_W-1:0];
    localparam signed [SUM_W-1:0] CUR_MIN = CUR_MIN_I[SUM_W-1:0];

    // One function for all lanes (not one assign per lane), so that an event-driven
    // simulator updates the tree's operands in one event, not in K.
    function [K*SUM_W-1:0] gate(input [K-1:0] b, input [LANE_BITS*K-1:0] w);
        integer i;
        begin
            for (i = 0; i < K; i = i + 1)
                gate[i*SUM_W +: SUM_W] =
                    {{(SUM_W-LANE_BITS){w[LANE_BITS*i+LANE_BITS-1] & b[i]}},
                     w[LANE_BITS*i +: LANE_BITS] & {LANE_BITS{b[i]}}};
        end
    endfunction

    wire [K*SUM_W-1:0] gated = gate(bits, weights);
    wire [SUM_W-1:0]   sum;
    qclif_csa_tree #(.N(K), .W(SUM_W)) u_tree (.operands(gated), .sum(sum));

    wire signed [SUM_W-1:0] shifted = $signed(sum) >>> shift;
    assign result = (shifted > CUR_MAX) ? {1'b0, {(CURRENT_BITS - 1){1'b1}}} :
                    (shifted < CUR_MIN) ? {1'b1, {(CURRENT_BITS - 1){1'b0}}} :
                    shifted[CURRENT_BITS-1:0];
endmodule
