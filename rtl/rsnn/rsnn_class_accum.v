// Closes an FC output group: adds z = acc0 + acc1 of its 128 lanes (12 bits each: a group
// partial of 128 inputs x 2w lies in -2048..1792) into the 48 class scores. Output
// o = 128*group + lane belongs to class o / 40; as 8 divides both 40 and 128, each 8-lane
// segment lies in one class, (16*group + segment) / 5, and a group touches at most four
// classes, base .. base + 3 with base = 16*group / 5.
// No divider: 16*group = 5*base + phase with phase = group mod 5 (16 = 1 mod 5), so
// segment s belongs to class base + (phase + s) / 5, i.e. relative class r holds the
// segments s = 5r - phase .. 5r - phase + 4 (those in 0..15). base and phase come from a
// table on the 4-bit group (the table of N_NEURONS = 128, POPULATION = 40). Group 15
// never occurs (base 48: no class is updated).
module rsnn_class_accum (clk, clear, close, group, z, scores);
    `include "rsnn_dims.vh"   // dimensions, generated from model/rsnn.py
    // Segments of SEG_LANES lanes: N_SEGS per group, SEGS_PER_CLASS per class (8, 16, 5).
    localparam integer SEG_LANES      = 8;
    localparam integer N_SEGS         = N_NEURONS / SEG_LANES;
    localparam integer SEGS_PER_CLASS = POPULATION / SEG_LANES;
    localparam integer SEG_W          = ACC_BITS + $clog2(SEG_LANES);   // a segment sum
    localparam integer REL_CLASSES    = 4;   // classes a group touches at most
    localparam integer REL_W          = $clog2(REL_CLASSES);

    input  wire                            clk;
    input  wire                            clear;   // frame start: scores = 0
    input  wire                            close;   // add this group's z into the scores
    input  wire [GROUP_W-1:0]              group;   // 0..14
    input  wire [N_NEURONS*ACC_BITS-1:0]   z;
    output wire [N_CLASSES*SCORE_BITS-1:0] scores;  // class c in bits [18c+17:18c], signed

    reg [CLASS_W-1:0] base;     // 16*group / 5
    reg [2:0]         phase;    // 16*group mod 5
    always @* begin
        case (group)
            4'd0:    begin base = 6'd0;  phase = 3'd0; end
            4'd1:    begin base = 6'd3;  phase = 3'd1; end
            4'd2:    begin base = 6'd6;  phase = 3'd2; end
            4'd3:    begin base = 6'd9;  phase = 3'd3; end
            4'd4:    begin base = 6'd12; phase = 3'd4; end
            4'd5:    begin base = 6'd16; phase = 3'd0; end
            4'd6:    begin base = 6'd19; phase = 3'd1; end
            4'd7:    begin base = 6'd22; phase = 3'd2; end
            4'd8:    begin base = 6'd25; phase = 3'd3; end
            4'd9:    begin base = 6'd28; phase = 3'd4; end
            4'd10:   begin base = 6'd32; phase = 3'd0; end
            4'd11:   begin base = 6'd35; phase = 3'd1; end
            4'd12:   begin base = 6'd38; phase = 3'd2; end
            4'd13:   begin base = 6'd41; phase = 3'd3; end
            4'd14:   begin base = 6'd44; phase = 3'd4; end
            default: begin base = N_CLASSES[CLASS_W-1:0]; phase = 3'd0; end
        endcase
    end

    // Sums of the group's relative classes 0..3 (18 bits each, class r in bits
    // [18r+17:18r]): 16 segment sums (8 lanes), then per class five segments picked by
    // the phase. Evaluated in the close cycle only (a function call in the clocked block
    // keeps an event simulator from re-adding on every change of z).
    function [REL_CLASSES*SCORE_BITS-1:0] class_sums(input [2:0] ph,
                                                     input [N_NEURONS*ACC_BITS-1:0] zz);
        reg [N_SEGS*SEG_W-1:0] seg;   // segment s in bits [15s+14:15s], signed
        reg [SEG_W-1:0]        sum, term;
        reg [SCORE_BITS-1:0]   acc;
        integer s, l, r, k;
        begin
            for (s = 0; s < N_SEGS; s = s + 1) begin
                sum = {SEG_W{1'b0}};
                for (l = 0; l < SEG_LANES; l = l + 1)
                    sum = sum + {{(SEG_W - ACC_BITS){zz[ACC_BITS*(SEG_LANES*s+l)+ACC_BITS-1]}},
                                 zz[ACC_BITS*(SEG_LANES*s+l) +: ACC_BITS]};
                seg[SEG_W*s +: SEG_W] = sum;
            end
            for (r = 0; r < REL_CLASSES; r = r + 1) begin
                acc = {SCORE_BITS{1'b0}};
                for (k = 0; k < SEGS_PER_CLASS; k = k + 1) begin
                    // segment s = 5r + k - phase, if it is in this group
                    term = {SEG_W{1'b0}};
                    for (s = 0; s < N_SEGS; s = s + 1)
                        if (s <= SEGS_PER_CLASS*r + k
                            && s + SEGS_PER_CLASS - 1 >= SEGS_PER_CLASS*r + k
                            && {29'd0, ph} == SEGS_PER_CLASS*r + k - s)
                            term = seg[SEG_W*s +: SEG_W];
                    acc = acc + {{(SCORE_BITS - SEG_W){term[SEG_W-1]}}, term};
                end
                class_sums[SCORE_BITS*r +: SCORE_BITS] = acc;
            end
        end
    endfunction

    // The scores after adding this group: class c = base + r gets relative class r's sum.
    function [N_CLASSES*SCORE_BITS-1:0] add_group(input [N_CLASSES*SCORE_BITS-1:0] sc,
                                                 input [CLASS_W-1:0] b,
                                                 input [REL_CLASSES*SCORE_BITS-1:0] sums);
        reg [CLASS_W-1:0] rel;
        integer c;
        begin
            add_group = sc;
            for (c = 0; c < N_CLASSES; c = c + 1) begin
                rel = c[CLASS_W-1:0] - b;
                if (rel < REL_CLASSES[CLASS_W-1:0])
                    add_group[SCORE_BITS*c +: SCORE_BITS] =
                        sc[SCORE_BITS*c +: SCORE_BITS]
                        + sums[SCORE_BITS*rel[REL_W-1:0] +: SCORE_BITS];
            end
        end
    endfunction

    reg [N_CLASSES*SCORE_BITS-1:0] score_q;
    always @(posedge clk) begin
        if (clear)      score_q <= {N_CLASSES*SCORE_BITS{1'b0}};
        else if (close) score_q <= add_group(score_q, base, class_sums(phase, z));
    end

    assign scores = score_q;
endmodule
