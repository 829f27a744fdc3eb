// Closes an FC output group: adds z = acc0 + acc1 of its 128 lanes (12 bits each: a group
// partial of 128 inputs x 2w lies in -2048..1792) into the 48 class scores. Output
// o = 128*group + lane belongs to class o / 40; as 8 divides both 40 and 128, each 8-lane
// segment lies in one class, (16*group + segment) / 5, and a group touches at most four
// classes, base .. base + 3 with base = 16*group / 5.
// No divider: 16*group = 5*base + phase with phase = group mod 5 (16 = 1 mod 5), so
// segment s belongs to class base + (phase + s) / 5, i.e. relative class r holds the
// segments s = 5r - phase .. 5r - phase + 4 (those in 0..15). base and phase come from a
// table on the 4-bit group. Group 15 never occurs (base 48: no class is updated).
module rsnn_class_accum (
    input  wire              clk,
    input  wire              clear,        // frame start: scores = 0
    input  wire              close,        // add this group's z into the scores
    input  wire [3:0]        group,        // 0..14
    input  wire [128*12-1:0] z,
    output wire [48*18-1:0]  scores        // class c in bits [18c+17:18c], signed
);
    reg [5:0] base;     // 16*group / 5
    reg [2:0] phase;    // 16*group mod 5
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
            default: begin base = 6'd48; phase = 3'd0; end
        endcase
    end

    // Sums of the group's relative classes 0..3 (18 bits each, class r in bits
    // [18r+17:18r]): 16 segment sums (8 lanes), then per class five segments picked by
    // the phase. Evaluated in the close cycle only (a function call in the clocked block
    // keeps an event simulator from re-adding on every change of z).
    function [4*18-1:0] class_sums(input [2:0] ph, input [128*12-1:0] zz);
        reg [16*15-1:0] seg;    // segment s in bits [15s+14:15s], signed
        reg [14:0]      sum, term;
        reg [17:0]      acc;
        integer s, l, r, k;
        begin
            for (s = 0; s < 16; s = s + 1) begin
                sum = 15'd0;
                for (l = 0; l < 8; l = l + 1)
                    sum = sum + {{3{zz[12*(8*s+l)+11]}}, zz[12*(8*s+l) +: 12]};
                seg[15*s +: 15] = sum;
            end
            for (r = 0; r < 4; r = r + 1) begin
                acc = 18'd0;
                for (k = 0; k < 5; k = k + 1) begin
                    // segment s = 5r + k - phase, if it is in this group
                    term = 15'd0;
                    for (s = 0; s < 16; s = s + 1)
                        if (s <= 5*r + k && s + 4 >= 5*r + k && {29'd0, ph} == 5*r + k - s)
                            term = seg[15*s +: 15];
                    acc = acc + {{3{term[14]}}, term};
                end
                class_sums[18*r +: 18] = acc;
            end
        end
    endfunction

    // The scores after adding this group: class c = base + r gets relative class r's sum.
    function [48*18-1:0] add_group(input [48*18-1:0] sc, input [5:0] b,
                                   input [4*18-1:0] sums);
        reg [5:0] rel;
        integer c;
        begin
            add_group = sc;
            for (c = 0; c < 48; c = c + 1) begin
                rel = c[5:0] - b;
                if (rel < 6'd4)
                    add_group[18*c +: 18] = sc[18*c +: 18] + sums[18*rel[1:0] +: 18];
            end
        end
    endfunction

    reg [48*18-1:0] score_q;
    always @(posedge clk) begin
        if (clear)      score_q <= {48*18{1'b0}};
        else if (close) score_q <= add_group(score_q, base, class_sums(phase, z));
    end

    assign scores = score_q;
endmodule
