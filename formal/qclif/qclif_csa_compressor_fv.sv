// Lemma of the compositional proof of rtl/qclif/qclif_csa_tree.v: the tree's 3:2
// compressor (its sum row a ^ b ^ c and its carry row, the majority shifted left by one
// with the top carry dropped, exactly as written in the RTL and in
// qclif_csa_tree_step_fv.sv) keeps the sum: s + c = a + b + c modulo 2^W.
module qclif_csa_compressor_fv #(
    parameter integer W = 17
) (
    input wire [W-1:0] a,
    input wire [W-1:0] b,
    input wire [W-1:0] c
);
    wire [W-1:0] s  = a ^ b ^ c;
    wire [W-1:0] cy = {(a[W-2:0] & b[W-2:0]) | (a[W-2:0] & c[W-2:0]) | (b[W-2:0] & c[W-2:0]), 1'b0};
    wire [W-1:0] lhs = s + cy;
    wire [W-1:0] rhs = a + b + c;
    always @* FV_COMPRESSOR: assert (lhs == rhs);
endmodule
