// A set of LANES PEs, one accumulator each: when `en`, acc[n] += sext(w[n]) << shift,
// w[n] = row[4n+3:4n] (LANE_BITS-bit two's complement). `clear` zeroes every accumulator;
// `clear` with `en` loads the operand (a new sum's first term). Accumulators wrap in
// ACC_W bits (the schedule never overflows them: 12 bits hold any layer or FC partial,
// 18 bits the L0 input term); ACC_W >= 11 so that -8 << 7 fits. acc[n] is
// acc[ACC_W*n +: ACC_W].
// All lanes live in one register vector written by one always block: an event-driven
// simulator then updates `acc` once per clock instead of once per lane (128 partial
// drivers made Icarus re-evaluate every reader of `acc` 128 times per cycle).
module rsnn_pe_set #(
    parameter integer LANES = 128,
    parameter integer ACC_W = 12   // 18 for set 0 (L0 input term), 12 otherwise
) (
    clk, rst_n, clear, en, shift, row, acc
);
    `include "rsnn_dims.vh"   // dimensions, generated from model/rsnn.py

    input  wire                       clk;
    input  wire                       rst_n;
    input  wire                       clear;
    input  wire                       en;
    input  wire [BIT_IDX_W-1:0]       shift;  // Type A: bit index; Type C: 1 doubles; else 0
    input  wire [LANES*LANE_BITS-1:0] row;
    output wire [LANES*ACC_W-1:0]     acc;

    reg [LANES*ACC_W-1:0] acc_q;
    reg [LANES*ACC_W-1:0] acc_next;
    reg [ACC_W-1:0]       operand;
    integer n;

    always @(*) begin
        acc_next = acc_q;
        operand  = {ACC_W{1'b0}};
        for (n = 0; n < LANES; n = n + 1) begin
            operand = {{(ACC_W - LANE_BITS){row[LANE_BITS * n + LANE_BITS - 1]}},
                       row[LANE_BITS * n +: LANE_BITS]} << shift;
            if (en)
                acc_next[ACC_W * n +: ACC_W] = (clear ? {ACC_W{1'b0}}
                                                      : acc_q[ACC_W * n +: ACC_W]) + operand;
            else if (clear)
                acc_next[ACC_W * n +: ACC_W] = {ACC_W{1'b0}};
        end
    end

    always @(posedge clk) begin
        if (!rst_n) acc_q <= {LANES*ACC_W{1'b0}};
        else        acc_q <= acc_next;
    end

    assign acc = acc_q;
endmodule
