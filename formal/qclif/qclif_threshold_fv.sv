// Proof of rtl/qclif/qclif_threshold.v (threshold comparator, docs/qclif.md "Neuron"),
// all inputs: s = (V' >= theta); if s, V' - theta, else V'.
module qclif_threshold_fv (
    input wire [7:0] v,
    input wire [7:0] theta
);
    wire       spike;
    wire [7:0] v_out;
    qclif_threshold dut (.v(v), .theta(theta), .spike(spike), .v_out(v_out));

    always @* begin
        FV_SPIKE: assert (spike == (v >= theta));
        FV_V: assert (v_out == (v >= theta ? v - theta : v));
    end
endmodule
