// Proof of rtl/rsnn/rsnn_lif.v against docs/rsnn.md "Arithmetic", every lane, all
// inputs: U = sat_12(leak(U_prev) + I), leak(u) = u - (u >>> b); spike = (U >= theta)
// with theta unsigned (values above 2047 never fire); a spiking lane's U is 0.
module rsnn_lif_fv #(
    parameter integer LANES = 128
) (
    input wire [LANES*12-1:0] u_prev,
    input wire [LANES*12-1:0] i_in,
    input wire [2:0]          b,
    input wire [11:0]         theta
);
    wire [LANES*12-1:0] u;
    wire [LANES-1:0]    spike;
    rsnn_lif #(.LANES(LANES)) dut (.u_prev(u_prev), .i_in(i_in), .b(b), .theta(theta),
                                    .u(u), .spike(spike));

    // Reference model, one lane at a time, in 32-bit integers.
    wire [LANES-1:0] bad_spike, bad_u;
    genvar n;
    generate
        for (n = 0; n < LANES; n = n + 1) begin : lane
            integer up, cur, leaked, s, sat;
            reg fire;
            always @* begin
                up     = $signed(u_prev[12 * n +: 12]);
                cur    = $signed(i_in[12 * n +: 12]);
                leaked = up - (up >>> b);
                s      = leaked + cur;
                sat    = s > 2047 ? 2047 : (s < -2048 ? -2048 : s);
                fire   = sat >= $signed({20'd0, theta});
            end
            assign bad_spike[n] = spike[n] != fire;
            assign bad_u[n]     = $signed(u[12 * n +: 12]) != (fire ? 0 : sat);
        end
    endgenerate
    always @* begin
        FV_SPIKE: assert (bad_spike == {LANES{1'b0}});
        FV_MEMBRANE: assert (bad_u == {LANES{1'b0}});
    end
endmodule
