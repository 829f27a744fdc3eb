// L0 input current of LANES neurons (combinational): iin = sat_12(a >>> s_in), a the
// exact A_W-bit signed input term, s_in 0..7, arithmetic (floor) shift; 12 is ACC_BITS.
module rsnn_input_scale #(
    parameter integer LANES = 128,
    parameter integer A_W   = 18
) (
    a, s_in, iin
);
    `include "rsnn_dims.vh"   // dimensions, generated from model/rsnn.py

    input  wire [LANES*A_W-1:0]      a;
    input  wire [2:0]                s_in;
    output wire [LANES*ACC_BITS-1:0] iin;

    genvar n;
    generate
        for (n = 0; n < LANES; n = n + 1) begin : lane
            wire signed [A_W-1:0] va      = a[A_W * n +: A_W];
            wire signed [A_W-1:0] shifted = va >>> s_in;
            rsnn_sat #(.IN_W(A_W), .OUT_W(ACC_BITS)) sat12 (
                .in(shifted), .out(iin[ACC_BITS * n +: ACC_BITS])
            );
        end
    endgenerate
endmodule
