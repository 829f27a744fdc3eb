// Type B zero-skip (spike layers at T = 1): walks the set bits of `vec` at indices of
// parity PARITY (this instance's weight bank), ascending, one per clock with no bubble.
// `start` samples `vec` and shows the first index in the same cycle; `idx` is then the
// input index whose row to read this cycle. `done` is high whenever no index is shown:
// from the cycle after `last` (or the start cycle of a vector with no such bit) on.
module rsnn_zs_b #(
    parameter integer WIDTH  = 128,  // 128 (L0: S0) or 256 (L1: {S1_prev, S0})
    parameter integer PARITY = 0,    // 0: even indices, bank 0; 1: odd, bank 1
    parameter integer IDX_W  = $clog2(WIDTH)
) (
    input  wire             clk,
    input  wire             rst_n,
    input  wire             start,
    /* verilator lint_off UNUSEDSIGNAL */  // the other parity belongs to the other bank
    input  wire [WIDTH-1:0] vec,
    /* verilator lint_on UNUSEDSIGNAL */
    output wire             valid,
    output wire [IDX_W-1:0] idx,
    output wire             last,
    output wire             done
);
    localparam integer HALF = WIDTH / 2;

    reg [HALF-1:0] mine;  // vec bits of this parity: mine[p] = vec[2p + PARITY]
    integer p;
    always @* begin
        for (p = 0; p < HALF; p = p + 1) mine[p] = vec[2 * p + PARITY];
    end

    wire [IDX_W-2:0] pos;
    rsnn_bit_walker #(.N(HALF), .POS_W(IDX_W - 1)) walker (
        .clk(clk), .rst_n(rst_n), .load(start), .vec(mine), .step(1'b1),
        .valid(valid), .pos(pos), .last(last)
    );

    localparam [0:0] PARITY_BIT = PARITY[0];
    assign idx  = {pos, PARITY_BIT};
    assign done = !valid;
endmodule
