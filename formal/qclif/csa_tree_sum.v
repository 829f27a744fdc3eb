// Stand-in for rtl/qclif/qclif_csa_tree.v in the proofs of the blocks that use it: the
// same ports and parameters, the plain sum of the operands modulo 2^W. The proof
// qclif_csa_tree.sum (docs/formal.md) shows the RTL tree equal to it at N = 200,
// W = 17 (the spike weighting modules of a 200-input, 200-neuron network).
module qclif_csa_tree #(
    parameter integer N = 8,
    parameter integer W = 12
) (
    input  wire [N*W-1:0] operands,
    output reg  [W-1:0]   sum
);
    integer i;
    always @* begin
        sum = {W{1'b0}};
        for (i = 0; i < N; i = i + 1) sum = sum + operands[i*W +: W];
    end
endmodule
