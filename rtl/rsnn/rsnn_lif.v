// LIF update of a layer's LANES neurons (combinational; the caller registers u and
// spike): u = sat_12(leak(u_prev) + i), leak(u) = u - (u >>> b), b in 1..7; spike iff
// u >= theta (theta unsigned, 1..2047; larger values never fire); a spiking neuron's u
// is reset to 0. Lane n of every bus is bits [12n+11:12n] (spike: bit n); 12 is
// ACC_BITS.
module rsnn_lif #(
    parameter integer LANES = 128
) (
    u_prev, i_in, b, theta, u, spike
);
    `include "rsnn_dims.vh"   // dimensions, generated from model/rsnn.py

    input  wire [LANES*ACC_BITS-1:0] u_prev;
    input  wire [LANES*ACC_BITS-1:0] i_in;
    input  wire [2:0]                b;
    input  wire [ACC_BITS-1:0]       theta;
    output wire [LANES*ACC_BITS-1:0] u;
    output wire [LANES-1:0]          spike;

    wire signed [ACC_BITS:0] theta_s = {1'b0, theta};

    genvar n;
    generate
        for (n = 0; n < LANES; n = n + 1) begin : lane
            wire signed [ACC_BITS-1:0] up     = u_prev[ACC_BITS * n +: ACC_BITS];
            wire signed [ACC_BITS-1:0] cur    = i_in[ACC_BITS * n +: ACC_BITS];
            // |leak(u)| <= 2032 for b >= 1, so it stays in 12 bits.
            wire signed [ACC_BITS-1:0] leaked = up - (up >>> b);
            wire signed [ACC_BITS:0]   sum    = {leaked[ACC_BITS-1], leaked}
                                              + {cur[ACC_BITS-1], cur};
            wire        [ACC_BITS-1:0] u_sat;
            rsnn_sat #(.IN_W(ACC_BITS + 1), .OUT_W(ACC_BITS)) sat12 (.in(sum), .out(u_sat));
            wire fire = $signed({u_sat[ACC_BITS-1], u_sat}) >= theta_s;
            assign spike[n]                    = fire;
            assign u[ACC_BITS * n +: ACC_BITS] = fire ? {ACC_BITS{1'b0}} : u_sat;
        end
    endgenerate
endmodule
