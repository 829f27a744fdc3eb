// Spike weighting module: result = sat_8((sum_i bits[i] * weights[i]) >>> shift).
// Each weight is ANDed with its spike bit, sign-extended to SUM_W bits and summed
// exactly in a carry-save adder tree (|sum| <= K*128 fits in SUM_W bits).
// weights: K int8 lanes, lane i in bits [8i+7:8i].
module qclif_spike_weighting #(
    parameter integer K       = 200,
    parameter integer SHIFT_W = 4
) (
    input  wire [K-1:0]       bits,
    input  wire [8*K-1:0]     weights,
    input  wire [SHIFT_W-1:0] shift,
    output wire [7:0]         result
);
    localparam integer SUM_W = 8 + $clog2(K) + 1;

    // One function for all lanes (not one assign per lane), so that an event-driven
    // simulator updates the tree's operands in one event, not in K.
    function [K*SUM_W-1:0] gate(input [K-1:0] b, input [8*K-1:0] w);
        integer i;
        begin
            for (i = 0; i < K; i = i + 1)
                gate[i*SUM_W +: SUM_W] = {{(SUM_W-8){w[8*i+7] & b[i]}}, w[8*i +: 8] & {8{b[i]}}};
        end
    endfunction

    wire [K*SUM_W-1:0] gated = gate(bits, weights);
    wire [SUM_W-1:0]   sum;
    qclif_csa_tree #(.N(K), .W(SUM_W)) u_tree (.operands(gated), .sum(sum));

    wire signed [SUM_W-1:0] shifted = $signed(sum) >>> shift;
    assign result = (shifted > 127)  ? 8'h7F :
                    (shifted < -128) ? 8'h80 : shifted[7:0];
endmodule
