// Induction step of the compositional proof of rtl/qclif/qclif_csa_tree.v: the tree of
// N operands equals the tree of N - K operands fed with operands 3K..N-1 followed by
// the sum and carry rows of the first K compressors (each of which takes three of the
// first 3K operands, 3K <= N). Both sides are the RTL tree; the equality holds because
// the RTL consumes its nodes first in, first out, so the rest of the big tree is the
// small tree (node j of the small tree is node j + 3K of the big one).
// With the compressor lemma (s + c = a + b + c) and the step's smaller tree proven to
// sum its operands, the big tree sums its operands: the chain 200 -> 134 -> 90 -> 60 ->
// 40 -> 27 -> 18 -> 12 -> 8 -> 6 -> 4 (proven directly) covers N = 200.
module qclif_csa_tree_step_fv #(
    parameter integer N = 200,
    parameter integer K = 66,
    parameter integer W = 17
) (
    input wire [N*W-1:0] ops
);
    wire [W-1:0] big, small;
    reg  [(N-K)*W-1:0] m;
    integer i;
    reg [W-1:0] a, b, c;
    always @* begin
        m[(N-3*K)*W-1:0] = ops[N*W-1:3*K*W];
        for (i = 0; i < K; i = i + 1) begin
            a = ops[(3*i)*W +: W];
            b = ops[(3*i+1)*W +: W];
            c = ops[(3*i+2)*W +: W];
            m[(N-3*K+2*i)*W +: W]   = a ^ b ^ c;
            m[(N-3*K+2*i+1)*W +: W] = {(a[W-2:0] & b[W-2:0]) | (a[W-2:0] & c[W-2:0])
                                       | (b[W-2:0] & c[W-2:0]), 1'b0};
        end
    end
    qclif_csa_tree #(.N(N), .W(W)) big_tree (.operands(ops), .sum(big));
    qclif_csa_tree #(.N(N-K), .W(W)) small_tree (.operands(m), .sum(small));
    always @* FV_STEP: assert (big == small);
endmodule
