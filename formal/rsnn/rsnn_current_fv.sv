// Proof of rtl/rsnn/rsnn_current.v against docs/rsnn.md "Arithmetic", every lane, all
// inputs: I = sat_12(base + acc0 + acc1), the sum exact.
module rsnn_current_fv #(
    parameter integer LANES  = 128,
    parameter integer BASE_W = 12,
    parameter integer ACC0_W = 18,
    parameter integer ACC1_W = 12
) (
    input wire [LANES*BASE_W-1:0] base,
    input wire [LANES*ACC0_W-1:0] acc0,
    input wire [LANES*ACC1_W-1:0] acc1
);
    wire [LANES*12-1:0] current;
    rsnn_current #(.LANES(LANES), .BASE_W(BASE_W), .ACC0_W(ACC0_W), .ACC1_W(ACC1_W)) dut (
        .base(base), .acc0(acc0), .acc1(acc1), .current(current));

    wire [LANES-1:0] bad;
    genvar n;
    generate
        for (n = 0; n < LANES; n = n + 1) begin : lane
            integer s, sat;
            always @* begin
                s   = $signed(base[BASE_W * n +: BASE_W]) + $signed(acc0[ACC0_W * n +: ACC0_W])
                    + $signed(acc1[ACC1_W * n +: ACC1_W]);
                sat = s > 2047 ? 2047 : (s < -2048 ? -2048 : s);
            end
            assign bad[n] = $signed(current[12 * n +: 12]) != sat;
        end
    endgenerate
    always @* FV_CURRENT: assert (bad == {LANES{1'b0}});
endmodule
