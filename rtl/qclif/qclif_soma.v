// Somatic compartment: v_new = clamp_u8(v - ls + d); v, ls unsigned, d 18-bit signed.
// v - ls + d fits 19 bits signed.
module qclif_soma (
    input  wire [7:0]  v,
    input  wire [7:0]  ls,
    input  wire [17:0] d,
    output wire [7:0]  v_new
);
    wire signed [18:0] raw = $signed({11'd0, v}) - $signed({11'd0, ls})
                           + $signed({d[17], d});
    assign v_new = raw[18] ? 8'd0 : (|raw[17:8] ? 8'hFF : raw[7:0]);
endmodule
