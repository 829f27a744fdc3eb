// Proof of rtl/rsnn/rsnn_input_scale.v against docs/rsnn.md "Arithmetic", every lane,
// all inputs: Iin = sat_12(A >>> s_in), arithmetic (floor) shift.
module rsnn_input_scale_fv #(
    parameter integer LANES = 128,
    parameter integer A_W   = 18
) (
    input wire [LANES*A_W-1:0] a,
    input wire [2:0]           s_in
);
    wire [LANES*12-1:0] iin;
    rsnn_input_scale #(.LANES(LANES), .A_W(A_W)) dut (.a(a), .s_in(s_in), .iin(iin));

    wire [LANES-1:0] bad;
    genvar n;
    generate
        for (n = 0; n < LANES; n = n + 1) begin : lane
            integer av, sh, sat;
            always @* begin
                av  = $signed(a[A_W * n +: A_W]);
                sh  = av >>> s_in;
                sat = sh > 2047 ? 2047 : (sh < -2048 ? -2048 : sh);
            end
            assign bad[n] = $signed(iin[12 * n +: 12]) != sat;
        end
    endgenerate
    always @* FV_IIN: assert (bad == {LANES{1'b0}});
endmodule
