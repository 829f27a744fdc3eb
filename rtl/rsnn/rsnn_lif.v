// LIF update of a layer's LANES neurons (combinational; the caller registers u and
// spike): u = sat_12(leak(u_prev) + i), leak(u) = u - (u >>> b), b in 1..7; spike iff
// u >= theta (theta unsigned, 1..2047; larger values never fire); a spiking neuron's u
// is reset to 0. Lane n of every bus is bits [12n+11:12n] (spike: bit n).
module rsnn_lif #(
    parameter integer LANES = 128
) (
    input  wire [LANES*12-1:0] u_prev,
    input  wire [LANES*12-1:0] i_in,
    input  wire [2:0]          b,
    input  wire [11:0]         theta,
    output wire [LANES*12-1:0] u,
    output wire [LANES-1:0]    spike
);
    wire signed [12:0] theta_s = {1'b0, theta};

    genvar n;
    generate
        for (n = 0; n < LANES; n = n + 1) begin : lane
            wire signed [11:0] up     = u_prev[12 * n +: 12];
            wire signed [11:0] cur    = i_in[12 * n +: 12];
            // |leak(u)| <= 2032 for b >= 1, so it stays in 12 bits.
            wire signed [11:0] leaked = up - (up >>> b);
            wire signed [12:0] sum    = {leaked[11], leaked} + {cur[11], cur};
            wire        [11:0] u_sat;
            rsnn_sat #(.IN_W(13), .OUT_W(12)) sat12 (.in(sum), .out(u_sat));
            wire fire = $signed({u_sat[11], u_sat}) >= theta_s;
            assign spike[n]          = fire;
            assign u[12 * n +: 12]   = fire ? 12'd0 : u_sat;
        end
    endgenerate
endmodule
