// Multiplication unit: d = (i_s * g) >>> sd; i_s 8-bit signed, g 9-bit unsigned,
// sd 0..15. |i_s * g| <= 128 * 511 fits the 18-bit signed product; the arithmetic
// shift floors toward minus infinity.
module qclif_mult (
    input  wire [7:0]  i_s,
    input  wire [8:0]  g,
    input  wire [3:0]  sd,
    output wire [17:0] d
);
    wire signed [17:0] product = $signed(i_s) * $signed({1'b0, g});
    assign d = product >>> sd;
endmodule
