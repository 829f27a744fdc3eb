// Type A zero-skip (IN phase): shift-adds of the set bits of the nonzero features,
// ascending feature then ascending bit. A nonzero feature's `win` row is read one cycle
// before its first bit (row_rd/row_addr, for a one-cycle-latency SRAM whose output holds
// until the next read): the first at `start`, each next one during the last cycle of
// the current feature. Items are aligned with the row on the SRAM output: they drive the
// PE sets directly (en = valid, shift = bit_idx). Zero features are never read.
// `split` (sampled at `start`) selects the schedule:
//   0 (paper): one bit per cycle, for PE set 0 (valid, bit_idx); valid1 stays 0.
//   1 (union): two bits per cycle of the same feature (its row is broadcast): the lower
//      one for set 0 (valid, bit_idx), the next one for set 1 (valid1, bit_idx1), so a
//      feature of p set bits takes ceil(p / 2) cycles.
// With P item cycles in all: items in cycles 1..P after `start`, `done` from cycle P + 1
// on (the Iin write cycle). `x` is read live: hold it until `done`.
module rsnn_zs_a #(
    parameter integer NF     = 48,           // input buffer entries (8-bit features)
    parameter integer FEAT_W = $clog2(NF)
) (
    clk, rst_n, start, split, x, row_rd, row_addr, row_last, valid, feat, bit_idx, valid1,
    bit_idx1, last, done
);
    `include "rsnn_dims.vh"   // dimensions, generated from model/rsnn.py

    input  wire                       clk;
    input  wire                       rst_n;
    input  wire                       start;
    input  wire                       split;     // 1: two bits per cycle on both PE sets (union)
    input  wire [NF*FEATURE_BITS-1:0] x;         // feature i in x[8i+7:8i], unsigned
    output wire                       row_rd;    // read win row `row_addr` this cycle
    output wire [FEAT_W-1:0]          row_addr;
    output wire                       row_last;  // this read is the phase's last
    output wire                       valid;     // set 0 op this cycle: acc0 += w << bit_idx
    output wire [FEAT_W-1:0]          feat;
    output reg  [BIT_IDX_W-1:0]       bit_idx;
    output wire                       valid1;    // set 1 op this cycle (split only): acc1 += w << bit_idx1
    output reg  [BIT_IDX_W-1:0]       bit_idx1;
    output wire                       last;      // last item cycle of the phase
    output wire                       done;

    reg [NF-1:0] nonzero;
    integer i;
    always @* begin
        for (i = 0; i < NF; i = i + 1) nonzero[i] = |x[FEATURE_BITS * i +: FEATURE_BITS];
    end

    reg                    active_q;  // a feature's bits are being consumed
    reg                    split_q;   // the walk's mode, sampled at start
    reg [FEAT_W-1:0]       feat_q;
    reg [FEATURE_BITS-1:0] bits_q;    // its bits not yet consumed

    // bits_rest: without the lowest bit; bits_rest2: without the lowest two; feat_end:
    // the last cycle of this feature
    wire [FEATURE_BITS-1:0] bits_rest  = bits_q & (bits_q - 1'b1);
    wire [FEATURE_BITS-1:0] bits_rest2 = bits_rest & (bits_rest - 1'b1);
    wire [FEATURE_BITS-1:0] bits_next  = split_q ? bits_rest2 : bits_rest;
    wire                    feat_end   = active_q && (bits_next == {FEATURE_BITS{1'b0}});

    // Nonzero features not yet read, lowest first; a read consumes one.
    wire pool_valid, pool_last;
    rsnn_bit_walker #(.N(NF), .POS_W(FEAT_W)) pool (
        .clk(clk), .rst_n(rst_n), .load(start), .vec(nonzero), .step(row_rd),
        .valid(pool_valid), .pos(row_addr), .last(pool_last)
    );
    assign row_rd   = (start || feat_end) && pool_valid;
    assign row_last = row_rd && pool_last;

    wire [FEATURE_BITS-1:0] row_bits = x[FEATURE_BITS * row_addr +: FEATURE_BITS];

    assign valid  = active_q;
    assign valid1 = active_q && split_q && (bits_rest != {FEATURE_BITS{1'b0}});
    assign feat   = feat_q;
    assign last   = feat_end && !row_rd;
    assign done   = !active_q && !start;

    // Lowest set bit (set 0) and the next one (set 1); the lowest index wins.
    integer b;
    always @* begin
        bit_idx  = {BIT_IDX_W{1'b0}};
        bit_idx1 = {BIT_IDX_W{1'b0}};
        for (b = FEATURE_BITS - 1; b >= 0; b = b - 1) begin
            if (bits_q[b])    bit_idx  = b[BIT_IDX_W-1:0];
            if (bits_rest[b]) bit_idx1 = b[BIT_IDX_W-1:0];
        end
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            active_q <= 1'b0;
            split_q  <= 1'b0;
            feat_q   <= {FEAT_W{1'b0}};
            bits_q   <= {FEATURE_BITS{1'b0}};
        end else begin
            if (start) split_q <= split;
            if (row_rd) begin
                active_q <= 1'b1;
                feat_q   <= row_addr;
                bits_q   <= row_bits;
            end else if (start || feat_end) begin
                active_q <= 1'b0;
                bits_q   <= {FEATURE_BITS{1'b0}};
            end else if (active_q) begin
                bits_q   <= bits_next;
            end
        end
    end
endmodule
