// sat_OUT_W: clamps a signed IN_W-bit value to the signed OUT_W-bit range (IN_W > OUT_W).
module rsnn_sat #(
    parameter integer IN_W  = 13,
    parameter integer OUT_W = 12
) (
    input  wire [IN_W-1:0]  in,
    output wire [OUT_W-1:0] out
);
    // In range iff the bits from the output's sign bit up are all equal.
    wire [IN_W-OUT_W:0] top  = in[IN_W-1:OUT_W-1];
    wire                fits = (&top) || !(|top);
    wire                neg  = in[IN_W-1];
    assign out = fits ? in[OUT_W-1:0] : {neg, {(OUT_W - 1){!neg}}};
endmodule
