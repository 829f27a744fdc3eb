// Proof of rtl/qclif/qclif_apical.v (apical compartment, docs/qclif.md "Neuron"), all
// inputs: Va' = clamp_u8(Va - la + Ia) (Ia signed), g = g0 + Va' (9 bits, 0..510).
module qclif_apical_fv (
    input wire [7:0] va,
    input wire [7:0] la,
    input wire [7:0] ia,
    input wire [7:0] g0
);
    wire [7:0] va_new;
    wire [8:0] g;
    qclif_apical dut (.va(va), .la(la), .ia(ia), .g0(g0), .va_new(va_new), .g(g));

    integer raw, clamped;
    always @* begin
        raw     = $signed({1'b0, va}) - $signed({1'b0, la}) + $signed(ia);
        clamped = raw < 0 ? 0 : (raw > 255 ? 255 : raw);
        FV_VA: assert (va_new == clamped);
        FV_GAIN: assert (g == g0 + clamped);
    end
endmodule
