// Proof of rtl/rsnn/rsnn_pe_set.v against docs/rsnn_blocks.md "rsnn_pe_set", every
// lane, for every input sequence: with op = sext(w) << shift (w = the lane's 4-bit
// weight), each clock edge sets acc to acc (hold), 0 (clear), acc + op (en) or op
// (clear and en), wrapping in ACC_W bits; reset zeroes it. A reference accumulator per
// lane follows that table; the proof is that the two are equal in every cycle after
// the first reset.
module rsnn_pe_set_fv #(
    parameter integer LANES = 128,
    parameter integer ACC_W = 18
) (
    input wire               clk,
    input wire               rst_n,
    input wire               clear,
    input wire               en,
    input wire [2:0]         shift,
    input wire [LANES*4-1:0] row
);
    wire [LANES*ACC_W-1:0] acc;
    rsnn_pe_set #(.LANES(LANES), .ACC_W(ACC_W)) dut (
        .clk(clk), .rst_n(rst_n), .clear(clear), .en(en), .shift(shift), .row(row),
        .acc(acc));

    reg                   seen_reset;
    reg [LANES*ACC_W-1:0] ref_acc;
    initial seen_reset = 1'b0;

    integer n, w, op;
    always @(posedge clk) begin
        seen_reset <= seen_reset || !rst_n;
        for (n = 0; n < LANES; n = n + 1) begin
            w  = $signed(row[4 * n +: 4]);
            op = w * (1 << shift);
            if (!rst_n)
                ref_acc[ACC_W * n +: ACC_W] <= {ACC_W{1'b0}};
            else if (en && clear)
                ref_acc[ACC_W * n +: ACC_W] <= op[ACC_W-1:0];
            else if (en)
                ref_acc[ACC_W * n +: ACC_W] <= ref_acc[ACC_W * n +: ACC_W] + op[ACC_W-1:0];
            else if (clear)
                ref_acc[ACC_W * n +: ACC_W] <= {ACC_W{1'b0}};
        end
    end

    always @* begin
        if (seen_reset) FV_ACC: assert (acc == ref_acc);
    end
endmodule
