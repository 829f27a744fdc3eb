// Proof of rtl/qclif/qclif_spike_weighting.v (spike weighting module, docs/qclif.md
// "Neuron"), all inputs: result = sat_8((sum_i bits[i] * w[i]) >>> shift), the sum
// exact (|sum| <= 128 K), floor shift. Proven in full for small K; for K = 200 with its
// carry-save adder tree replaced by formal/qclif/csa_tree_sum.v (the exact modular
// sum), the tree itself being proven equal to that sum by the compositional proof
// qclif_csa_tree.sum (docs/formal.md).
module qclif_spike_weighting_fv #(
    parameter integer K = 200
) (
    input wire [K-1:0]   bits,
    input wire [8*K-1:0] weights,
    input wire [3:0]     shift
);
    wire [7:0] result;
    qclif_spike_weighting #(.K(K), .SHIFT_W(4)) dut (
        .bits(bits), .weights(weights), .shift(shift), .result(result));

    // Exact sum in RW bits (|sum| <= 128 K < 2^(RW-1)).
    localparam integer RW = $clog2(K * 128) + 2;
    reg signed [RW-1:0] s, sh;
    reg signed [7:0]    term;
    integer i;
    always @* begin
        s = {RW{1'b0}};
        for (i = 0; i < K; i = i + 1) begin
            term = bits[i] ? weights[8 * i +: 8] : 8'sd0;
            s    = s + term;
        end
        sh = s >>> shift;
        FV_RESULT: assert ($signed(result) == (sh > 127 ? 127 : (sh < -128 ? -128 : sh)));
    end
endmodule
