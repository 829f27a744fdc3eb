// Base of the compositional proof of rtl/qclif/qclif_csa_tree.v: for N small enough to
// prove directly, the tree's output is the sum of its N operands modulo 2^W.
module qclif_csa_tree_base_fv #(
    parameter integer N = 4,
    parameter integer W = 17
) (
    input wire [N*W-1:0] ops
);
    wire [W-1:0] sum;
    qclif_csa_tree #(.N(N), .W(W)) dut (.operands(ops), .sum(sum));

    reg [W-1:0] ref_sum;
    integer i;
    always @* begin
        ref_sum = {W{1'b0}};
        for (i = 0; i < N; i = i + 1) ref_sum = ref_sum + ops[i*W +: W];
        FV_SUM: assert (sum == ref_sum);
    end
endmodule
