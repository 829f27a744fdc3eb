// Type C zero-skip (FC, merged spikes): for each output group g = 0..GROUPS-1 in turn,
// bank 0 walks the even j with m[j] != 0 and bank 1 the odd ones, ascending, one j per
// bank per clock (OR of the two step spikes decides the skip, AND flags the doubled
// weight). W = the longer of the two walks (the same for every group). `pipe` (sampled
// at `start`) selects the group timing:
//   0 (paper): each group takes W + 2 cycles: W cycles showing indices (the row address
//      cycles), one drain cycle (no index; the PE sets add the last rows) and one close
//      cycle (`grp_close`; both sets hold the group's z). The next group starts after.
//   1 (union): groups follow each other without a gap: group g + 1 shows its first
//      index in the cycle after group g's last one (each group takes max(W, 1) cycles;
//      with W = 0 one cycle with no index), and group g closes two cycles after its
//      last index cycle, which is group g + 1's first add cycle. The accumulators are
//      cleared there with the add (a clear with an add loads the operand), after the
//      close has read them: the registered sums are still group g's in that cycle.
// `grp` is the group whose indices are shown (row addresses); `cgrp` the group closed
// in a `grp_close` cycle (= grp in the paper timing). `acc_clear`: clear both PE sets in
// this cycle (paper: each group's first cycle; union: the start cycle and every close).
// `grp_first` marks each group's first cycle. `start` begins group 0 in the same cycle;
// spk0/spk1 are read live and must hold until `done`. `done` is high when idle, from
// the cycle after the last close on. At T = 1 tie spk1 to 0.
module rsnn_zs_c #(
    parameter integer N_IN   = 128,
    parameter integer GROUPS = 15,
    parameter integer IDX_W  = $clog2(N_IN),
    parameter integer G_W    = $clog2(GROUPS),
    parameter integer ROW_W  = $clog2(GROUPS * N_IN / 2)
) (
    input  wire             clk,
    input  wire             rst_n,
    input  wire             start,
    input  wire             pipe,       // 1: groups overlapped (union schedule)
    input  wire [N_IN-1:0]  spk0,       // S1[t][0]
    input  wire [N_IN-1:0]  spk1,       // S1[t][1], 0 at T = 1
    output wire             valid0,     // bank 0 (even j)
    output wire [IDX_W-1:0] j0,
    output wire             dbl0,
    output wire [ROW_W-1:0] row0,
    output wire             last0,      // bank 0's last index of this group
    output wire             valid1,     // bank 1 (odd j)
    output wire [IDX_W-1:0] j1,
    output wire             dbl1,
    output wire [ROW_W-1:0] row1,
    output wire             last1,
    output wire [G_W-1:0]   grp,
    output wire             grp_first,
    output wire             grp_close,
    output wire [G_W-1:0]   cgrp,       // the group closed in a grp_close cycle
    output wire             acc_clear,  // clear both PE sets this cycle
    output wire             done
);
    localparam integer     HALF   = N_IN / 2;
    localparam integer     POS_W  = IDX_W - 1;
    localparam integer     LAST_G = GROUPS - 1;
    localparam [G_W-1:0]   LAST_GRP = LAST_G[G_W-1:0];
    localparam [ROW_W-1:0] ROW_MUL  = GROUPS[ROW_W-1:0];

    // Merged spikes split by bank: nonzero (walked) and doubled.
    reg [HALF-1:0] nz_even, nz_odd, dbl_even, dbl_odd;
    integer p;
    always @* begin
        for (p = 0; p < HALF; p = p + 1) begin
            nz_even[p]  = spk0[2 * p]     | spk1[2 * p];
            nz_odd[p]   = spk0[2 * p + 1] | spk1[2 * p + 1];
            dbl_even[p] = spk0[2 * p]     & spk1[2 * p];
            dbl_odd[p]  = spk0[2 * p + 1] & spk1[2 * p + 1];
        end
    end

    reg           walk_q;   // in a group's walk (index or drain cycles)
    reg           close_q;  // paper: this cycle is a group's close cycle
    reg           first_q;  // this cycle is the first of group g > 0
    reg [G_W-1:0] g_q;
    reg           pipe_q;   // the phase's timing, sampled at start
    reg           end1_q;   // union: a group's last index cycle was one cycle ago
    reg           end2_q;   // union: ... two cycles ago (this is its close cycle)
    reg [G_W-1:0] cg1_q, cg2_q;  // union: the groups of end1_q, end2_q

    wire pipe_now = start ? pipe : pipe_q;
    wire load     = start || first_q;
    wire in_walk  = start || walk_q;
    wire [G_W-1:0] g_cur = start ? {G_W{1'b0}} : g_q;

    wire [POS_W-1:0] pos0, pos1;
    wire             any0, any1, last0_raw, last1_raw;
    rsnn_bit_walker #(.N(HALF), .POS_W(POS_W)) walk_even (
        .clk(clk), .rst_n(rst_n), .load(load), .vec(nz_even), .step(1'b1),
        .valid(any0), .pos(pos0), .last(last0_raw)
    );
    rsnn_bit_walker #(.N(HALF), .POS_W(POS_W)) walk_odd (
        .clk(clk), .rst_n(rst_n), .load(load), .vec(nz_odd), .step(1'b1),
        .valid(any1), .pos(pos1), .last(last1_raw)
    );

    // Paper: the drain cycle follows the last index; the close follows the drain.
    wire drain      = in_walk && !any0 && !any1;   // both walks over: the PE adds the last rows
    wire close_now  = close_q && !start;
    wire next_group = close_now && (g_q != LAST_GRP);
    // Union: this cycle shows the group's last indices (or is its one empty cycle).
    wire grp_end    = in_walk && (!any0 || last0_raw) && (!any1 || last1_raw);
    wire next_pipe  = grp_end && (g_cur != LAST_GRP);

    assign grp       = g_cur;
    assign grp_first = load;
    assign grp_close = pipe_now ? (end2_q && !start) : close_now;
    assign cgrp      = pipe_now ? cg2_q : g_q;
    assign acc_clear = pipe_now ? (start || grp_close) : load;
    assign done      = !(start || walk_q || close_q || end1_q || end2_q);

    assign valid0 = in_walk && any0;
    assign valid1 = in_walk && any1;
    assign last0  = in_walk && last0_raw;
    assign last1  = in_walk && last1_raw;
    assign j0     = {pos0, 1'b0};
    assign j1     = {pos1, 1'b1};
    assign dbl0   = dbl_even[pos0];
    assign dbl1   = dbl_odd[pos1];
    // Row 15*(j >> 1) + g of the bank (docs/rsnn.md, wfc).
    assign row0   = {{(ROW_W - POS_W){1'b0}}, pos0} * ROW_MUL + {{(ROW_W - G_W){1'b0}}, grp};
    assign row1   = {{(ROW_W - POS_W){1'b0}}, pos1} * ROW_MUL + {{(ROW_W - G_W){1'b0}}, grp};

    always @(posedge clk) begin
        if (!rst_n) begin
            walk_q  <= 1'b0;
            close_q <= 1'b0;
            first_q <= 1'b0;
            g_q     <= {G_W{1'b0}};
            pipe_q  <= 1'b0;
            end1_q  <= 1'b0;
            end2_q  <= 1'b0;
            cg1_q   <= {G_W{1'b0}};
            cg2_q   <= {G_W{1'b0}};
        end else begin
            if (start) pipe_q <= pipe;
            if (pipe_now) begin
                walk_q  <= (in_walk && !grp_end) || next_pipe;
                close_q <= 1'b0;
                first_q <= next_pipe;
                g_q     <= next_pipe ? g_cur + 1'b1 : g_cur;
                end1_q  <= grp_end;
                end2_q  <= end1_q && !start;
            end else begin
                walk_q  <= (in_walk && !drain) || next_group;
                close_q <= drain;
                first_q <= next_group;
                g_q     <= next_group ? g_q + 1'b1 : g_cur;
                end1_q  <= 1'b0;
                end2_q  <= 1'b0;
            end
            cg1_q <= g_cur;
            cg2_q <= cg1_q;
        end
    end
endmodule
