// Type D (spike layers at T = 2): walks every row index 0..ROWS-1 once, one per clock,
// for a row read broadcast to both PE sets; en0/en1 = that index's spike of step 0/1,
// i.e. whether set 0/1 adds the row. Index 0 is shown in the `start` cycle. spk0/spk1
// are read live and must hold from `start` to `last`. `done` is high whenever no index
// is shown (from the cycle after `last` on).
module rsnn_zs_d #(
    parameter integer ROWS  = 128,  // 128 (L0: Wr0) or 256 (L1: Wf1 then Wr1)
    parameter integer IDX_W = $clog2(ROWS)
) (
    input  wire             clk,
    input  wire             rst_n,
    input  wire             start,
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

    reg             busy_q;
    reg [IDX_W-1:0] next_q;

    assign valid = start || busy_q;
    assign idx   = start ? {IDX_W{1'b0}} : next_q;
    assign last  = valid && (idx == LAST_IDX);
    assign en0   = valid && spk0[idx];
    assign en1   = valid && spk1[idx];
    assign done  = !valid;

    always @(posedge clk) begin
        if (!rst_n) begin
            busy_q <= 1'b0;
            next_q <= {IDX_W{1'b0}};
        end else if (valid) begin
            busy_q <= !last;
            next_q <= idx + 1'b1;
        end
    end
endmodule
