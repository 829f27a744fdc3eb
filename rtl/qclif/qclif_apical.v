// Apical compartment and gain: va_new = clamp_u8(va - la + ia), g = g0 + va_new.
// va, la, g0 unsigned; ia signed. va - la + ia lies in -383..382 (10 bits signed).
module qclif_apical (
    input  wire [7:0] va,
    input  wire [7:0] la,
    input  wire [7:0] ia,
    input  wire [7:0] g0,
    output wire [7:0] va_new,
    output wire [8:0] g
);
    wire signed [9:0] raw = $signed({2'b00, va}) - $signed({2'b00, la})
                          + $signed({{2{ia[7]}}, ia});
    assign va_new = raw[9] ? 8'd0 : (raw[8] ? 8'hFF : raw[7:0]);
    assign g      = {1'b0, g0} + {1'b0, va_new};
endmodule
