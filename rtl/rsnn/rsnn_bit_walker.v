// Walks the set bits of a vector, lowest first: `pos` is the lowest set bit of the
// current remainder and `valid` says there is one. `load` takes `vec` as the remainder
// in the same cycle (its lowest bit comes out at once); `step` consumes the bit shown.
// The remainder is the only state, so an exhausted walker stays quiet until reloaded.
module rsnn_bit_walker #(
    parameter integer N     = 64,
    parameter integer POS_W = $clog2(N)
) (
    input  wire             clk,
    input  wire             rst_n,
    input  wire             load,
    input  wire [N-1:0]     vec,
    input  wire             step,
    output wire             valid,
    output reg  [POS_W-1:0] pos,
    output wire             last
);
    reg  [N-1:0] rem_q;
    wire [N-1:0] cur  = load ? vec : rem_q;
    wire [N-1:0] rest = cur & (cur - 1'b1);  // cur without its lowest set bit

    assign valid = |cur;
    assign last  = valid && !(|rest);

    // Priority encoder: the lowest set bit wins (assigned last).
    integer k;
    always @* begin
        pos = {POS_W{1'b0}};
        for (k = N - 1; k >= 0; k = k - 1)
            if (cur[k]) pos = k[POS_W-1:0];
    end

    always @(posedge clk) begin
        if (!rst_n)    rem_q <= {N{1'b0}};
        else if (step) rem_q <= rest;
        else           rem_q <= cur;
    end
endmodule
