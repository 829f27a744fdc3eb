// Proof of rtl/qclif/qclif_soma.v (somatic compartment, docs/qclif.md "Neuron"), all
// inputs: V' = clamp_u8(V - ls + D), D signed 18-bit.
module qclif_soma_fv (
    input wire [7:0]  v,
    input wire [7:0]  ls,
    input wire [17:0] d
);
    wire [7:0] v_new;
    qclif_soma dut (.v(v), .ls(ls), .d(d), .v_new(v_new));

    integer raw;
    always @* begin
        raw = $signed({1'b0, v}) - $signed({1'b0, ls}) + $signed(d);
        FV_V: assert (v_new == (raw < 0 ? 0 : (raw > 255 ? 255 : raw)));
    end
endmodule
