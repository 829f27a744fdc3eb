// Datapath invariants of a qclif neuron step (rtl/qclif/qclif_unit.v, docs/qclif.md),
// checked in every cycle a neuron is computed (`step`): the apical compartment clamps
// to 0..255 without wrapping (Va' = clamp_u8(Va - la + Ia)), the multiplication unit's
// product is exact (D = (Is * g) >>> sd in 18 bits), the somatic compartment clamps
// (V' = clamp_u8(V - ls + D)), and the threshold comparator fires at V' >= theta and
// subtracts theta. Bound by qclif_unit_bind.sv. Each assertion NAME has a cover NAME_C.
`ifndef SPIKEDV_SVA_MACROS
`define SPIKEDV_SVA_MACROS
`ifdef FORMAL
`define SVA_MSG(args)
`else
`define SVA_MSG(args) else $error args
`endif
`endif

module qclif_unit_checker (
    input wire        clk,
    input wire        step,
    input wire [7:0]  va,        // state read for the step (0 on a sample's first bin)
    input wire [7:0]  v,
    input wire [7:0]  la,
    input wire [7:0]  ls,
    input wire [7:0]  theta,
    input wire [3:0]  sd,
    input wire [7:0]  i_s,       // spike weighting outputs (proven in formal/)
    input wire [7:0]  i_a,
    input wire [7:0]  va_next,
    input wire [8:0]  g,
    input wire [17:0] d,
    input wire [7:0]  v_soma,
    input wire [7:0]  v_next,
    input wire        spike
);
    wire signed [23:0] va_raw  = $signed({16'd0, va}) - $signed({16'd0, la})
                               + $signed({{16{i_a[7]}}, i_a});
    wire        [7:0]  va_ref  = va_raw < 0 ? 8'd0 : (va_raw > 255 ? 8'd255 : va_raw[7:0]);
    wire signed [23:0] product = $signed({{16{i_s[7]}}, i_s}) * $signed({15'd0, g});
    wire signed [23:0] d_ref   = product >>> sd;
    wire signed [23:0] v_raw   = $signed({16'd0, v}) - $signed({16'd0, ls})
                               + $signed({{6{d[17]}}, d});
    wire        [7:0]  v_ref   = v_raw < 0 ? 8'd0 : (v_raw > 255 ? 8'd255 : v_raw[7:0]);
    wire               s_ref   = v_soma >= theta;
    wire        [7:0]  vn_ref  = s_ref ? v_soma - theta : v_soma;

    always @(posedge clk) begin
        if (step) begin
            // Va' = clamp_u8(Va - la + Ia): in 0..255, saturated, never wrapped.
            QCLIF_VA_CLAMP: assert (va_next == va_ref)
                `SVA_MSG(("QCLIF_VA_CLAMP: Va' %0d, expected clamp_u8(%0d - %0d + %0d) = %0d",
                          va_next, va, la, $signed(i_a), va_ref));
            // D = (Is * g) >>> sd, exact (the product fits 18 bits).
            QCLIF_MULT_EXACT: assert ($signed({{6{d[17]}}, d}) == d_ref)
                `SVA_MSG(("QCLIF_MULT_EXACT: D %0d, expected (%0d * %0d) >>> %0d = %0d",
                          $signed(d), $signed(i_s), g, sd, d_ref));
            // V' = clamp_u8(V - ls + D): in 0..255, saturated, never wrapped.
            QCLIF_V_CLAMP: assert (v_soma == v_ref)
                `SVA_MSG(("QCLIF_V_CLAMP: V' %0d, expected clamp_u8(%0d - %0d + %0d) = %0d",
                          v_soma, v, ls, $signed(d), v_ref));
            // Spike iff V' >= theta; on a spike theta is subtracted.
            QCLIF_THRESHOLD: assert (spike == s_ref && v_next == vn_ref)
                `SVA_MSG(("QCLIF_THRESHOLD: V' %0d theta %0d gave spike %b V %0d",
                          v_soma, theta, spike, v_next));
        end
        QCLIF_VA_CLAMP_C: cover (step && (va_raw < 0 || va_raw > 255));
        QCLIF_MULT_EXACT_C: cover (step && i_s != 8'd0 && g != 9'd0);
        QCLIF_V_CLAMP_C: cover (step && (v_raw < 0 || v_raw > 255));
        QCLIF_THRESHOLD_C: cover (step && spike);
    end
endmodule
