// Type D (spike layers at T = 2): walks row indices ascending, one per clock, for a row
// read broadcast to both PE sets; en0/en1 = that index's spike of step 0/1, i.e.
// whether set 0/1 adds the row. `skip` (sampled at `start`) selects the walk:
//   0 (paper): every index 0..ROWS-1 once;
//   1 (union): only the indices j with spk0[j] | spk1[j] (the union of the two steps'
//      spikes, sampled at `start`), so a row no step needs is never read.
// The first index is shown in the `start` cycle. spk0/spk1 are read live for en0/en1
// and must hold from `start` to `last`. `done` is high whenever no index is shown (from
// the cycle after `last` on; in the `start` cycle itself for an empty union walk).
module rsnn_zs_d #(
    parameter integer ROWS  = 128,  // 128 (L0: Wr0) or 256 (L1: Wf1 then Wr1)
    parameter integer IDX_W = $clog2(ROWS)
) (
    input  wire             clk,
    input  wire             rst_n,
    input  wire             start,
    input  wire             skip,   // 1: walk only the union of spk0 and spk1 (union)
    input  wire [ROWS-1:0]  spk0,
    input  wire [ROWS-1:0]  spk1,
    output wire             valid,
    output wire [IDX_W-1:0] idx,
    output wire             en0,
    output wire             en1,
    output wire             last,
    output wire             done
);
    localparam integer     LAST     = ROWS - 1;
    localparam [IDX_W-1:0] LAST_IDX = LAST[IDX_W-1:0];

    reg             skip_q;   // the walk's mode, sampled at start
    reg             busy_q;   // dense walk running
    reg [IDX_W-1:0] next_q;

    wire skip_now = start ? skip : skip_q;

    // Union walk: the set bits of spk0 | spk1, loaded at start (empty for a dense walk).
    wire             u_valid, u_last;
    wire [IDX_W-1:0] u_pos;
    rsnn_bit_walker #(.N(ROWS), .POS_W(IDX_W)) union_walk (
        .clk(clk), .rst_n(rst_n), .load(start),
        .vec(skip ? (spk0 | spk1) : {ROWS{1'b0}}), .step(1'b1),
        .valid(u_valid), .pos(u_pos), .last(u_last)
    );

    // Dense walk: a counter.
    wire             d_valid = !skip_now && (start || busy_q);
    wire [IDX_W-1:0] d_idx   = start ? {IDX_W{1'b0}} : next_q;

    assign valid = skip_now ? u_valid : d_valid;
    assign idx   = skip_now ? u_pos : d_idx;
    assign last  = skip_now ? u_last : (d_valid && (d_idx == LAST_IDX));
    assign en0   = valid && spk0[idx];
    assign en1   = valid && spk1[idx];
    assign done  = !valid;

    always @(posedge clk) begin
        if (!rst_n) begin
            skip_q <= 1'b0;
            busy_q <= 1'b0;
            next_q <= {IDX_W{1'b0}};
        end else begin
            if (start) skip_q <= skip;
            if (start && skip) begin
                busy_q <= 1'b0;
            end else if (d_valid) begin
                busy_q <= !last;
                next_q <= d_idx + 1'b1;
            end
        end
    end
endmodule
