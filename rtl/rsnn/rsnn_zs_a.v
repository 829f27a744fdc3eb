// Type A zero-skip (IN phase): one shift-add per set bit of the nonzero features,
// ascending feature then ascending bit. A nonzero feature's `win` row is read one cycle
// before its first bit (row_rd/row_addr, for a one-cycle-latency SRAM whose output holds
// until the next read): the first at `start`, each next one during the last bit of the
// current feature. Items (valid, feat, bit_idx) are aligned with the row on the SRAM
// output: they drive the PE set directly (en = valid, shift = bit_idx). Zero features
// are never read. With P set bits in all: items in cycles 1..P after `start`, `done`
// from cycle P + 1 on (the Iin write cycle). `x` is read live: hold it until `done`.
module rsnn_zs_a #(
    parameter integer NF     = 48,           // input buffer entries (8-bit features)
    parameter integer FEAT_W = $clog2(NF)
) (
    input  wire              clk,
    input  wire              rst_n,
    input  wire              start,
    input  wire [NF*8-1:0]   x,         // feature i in x[8i+7:8i], unsigned
    output wire              row_rd,    // read win row `row_addr` this cycle
    output wire [FEAT_W-1:0] row_addr,
    output wire              row_last,  // this read is the phase's last
    output wire              valid,     // PE op this cycle: acc += w << bit_idx
    output wire [FEAT_W-1:0] feat,
    output reg  [2:0]        bit_idx,
    output wire              last,      // last item of the phase
    output wire              done
);
    reg [NF-1:0] nonzero;
    integer i;
    always @* begin
        for (i = 0; i < NF; i = i + 1) nonzero[i] = |x[8 * i +: 8];
    end

    reg              active_q;  // a feature's bits are being consumed
    reg [FEAT_W-1:0] feat_q;
    reg [7:0]        bits_q;    // its bits not yet consumed

    wire [7:0] bits_rest = bits_q & (bits_q - 1'b1);
    wire       feat_end  = active_q && (bits_rest == 8'd0);  // last bit of this feature

    // Nonzero features not yet read, lowest first; a read consumes one.
    wire pool_valid, pool_last;
    rsnn_bit_walker #(.N(NF), .POS_W(FEAT_W)) pool (
        .clk(clk), .rst_n(rst_n), .load(start), .vec(nonzero), .step(row_rd),
        .valid(pool_valid), .pos(row_addr), .last(pool_last)
    );
    assign row_rd   = (start || feat_end) && pool_valid;
    assign row_last = row_rd && pool_last;

    wire [7:0] row_bits = x[8 * row_addr +: 8];

    assign valid = active_q;
    assign feat  = feat_q;
    assign last  = feat_end && !row_rd;
    assign done  = !active_q && !start;

    integer b;
    always @* begin
        bit_idx = 3'd0;
        for (b = 7; b >= 0; b = b - 1)
            if (bits_q[b]) bit_idx = b[2:0];
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            active_q <= 1'b0;
            feat_q   <= {FEAT_W{1'b0}};
            bits_q   <= 8'd0;
        end else if (row_rd) begin
            active_q <= 1'b1;
            feat_q   <= row_addr;
            bits_q   <= row_bits;
        end else if (start || feat_end) begin
            active_q <= 1'b0;
            bits_q   <= 8'd0;
        end else if (active_q) begin
            bits_q   <= bits_rest;
        end
    end
endmodule
