// Layer current of LANES neurons (combinational): current = sat_12(base + acc0 + acc1),
// all inputs signed. L0: base = Iin, acc0/acc1 = PE sets 0/1 (T = 1: both; T = 2:
// step k's set, the other input 0). L1: base = 0 (the sum fits 12 bits anyway).
// Lane n of a W-bit bus is bits [W*n+W-1:W*n]; `current` has ACC_BITS (12) per lane.
module rsnn_current #(
    parameter integer LANES  = 128,
    parameter integer BASE_W = 12,
    parameter integer ACC0_W = 18,
    parameter integer ACC1_W = 12
) (
    base, acc0, acc1, current
);
    `include "rsnn_dims.vh"   // dimensions, generated from model/rsnn.py

    input  wire [LANES*BASE_W-1:0]   base;
    input  wire [LANES*ACC0_W-1:0]   acc0;
    input  wire [LANES*ACC1_W-1:0]   acc1;
    output wire [LANES*ACC_BITS-1:0] current;

    localparam integer MAX_ACC = (ACC0_W > ACC1_W) ? ACC0_W : ACC1_W;
    localparam integer MAX_W   = (BASE_W > MAX_ACC) ? BASE_W : MAX_ACC;
    localparam integer SUM_W   = MAX_W + 2;  // a sum of three never overflows this

    genvar n;
    generate
        for (n = 0; n < LANES; n = n + 1) begin : lane
            wire [BASE_W-1:0] vb = base[BASE_W * n +: BASE_W];
            wire [ACC0_W-1:0] v0 = acc0[ACC0_W * n +: ACC0_W];
            wire [ACC1_W-1:0] v1 = acc1[ACC1_W * n +: ACC1_W];
            wire [SUM_W-1:0]  sum = {{(SUM_W - BASE_W){vb[BASE_W-1]}}, vb}
                                  + {{(SUM_W - ACC0_W){v0[ACC0_W-1]}}, v0}
                                  + {{(SUM_W - ACC1_W){v1[ACC1_W-1]}}, v1};
            rsnn_sat #(.IN_W(SUM_W), .OUT_W(ACC_BITS)) sat12 (
                .in(sum), .out(current[ACC_BITS * n +: ACC_BITS])
            );
        end
    endgenerate
endmodule
