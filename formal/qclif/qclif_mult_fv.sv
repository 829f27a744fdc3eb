// Proof of rtl/qclif/qclif_mult.v (multiplication unit, docs/qclif.md "Neuron"), all
// inputs: D = (Is * g) >>> sd, Is signed 8-bit, g unsigned 9-bit, floor shift.
module qclif_mult_fv (
    input wire [7:0] i_s,
    input wire [8:0] g,
    input wire [3:0] sd
);
    wire [17:0] d;
    qclif_mult dut (.i_s(i_s), .g(g), .sd(sd), .d(d));

    integer product;
    always @* begin
        product = $signed(i_s) * $signed({1'b0, g});
        FV_D: assert ($signed(d) == (product >>> sd));
    end
endmodule
