// Closes an FC output group: adds z = acc0 + acc1 of its 128 lanes (12 bits each: a group
// partial of 128 inputs x 2w lies in -2048..1792) into the 48 class scores. Output o = 128*group + lane belongs to class o / 40; as 8 divides both 40 and
// 128, each 8-lane segment lies in one class, (16*group + segment) / 5, and a group
// touches at most four classes, base = 16*group / 5 .. base + 3.
module rsnn_class_accum (
    input  wire              clk,
    input  wire              clear,        // frame start: scores = 0
    input  wire              close,        // add this group's z into the scores
    input  wire [3:0]        group,        // 0..14
    input  wire [128*12-1:0] z,
    output wire [48*18-1:0]  scores        // class c in bits [18c+17:18c], signed
);
    /* verilator lint_off UNUSEDSIGNAL */  // base <= 44: bits 7:6 are always 0
    wire [7:0] base = {group, 4'd0} / 8'd5;
    /* verilator lint_on UNUSEDSIGNAL */

    // Sum of the segments of relative class r (0..3) in this group; evaluated in the
    // close cycle only (a function call in the clocked block keeps simulation fast).
    function signed [17:0] class_sum;
        input [1:0]        r;
        input [3:0]        g;
        input [128*12-1:0] zz;
        integer s, l;
        reg [7:0] pos;
        reg [7:0] cls;
        reg [7:0] b;
        begin
            class_sum = 18'sd0;
            b = {g, 4'd0} / 8'd5;
            for (s = 0; s < 16; s = s + 1) begin
                pos = {g, 4'd0} + s[7:0];
                cls = pos / 8'd5;
                if (cls - b == {6'd0, r})
                    for (l = 0; l < 8; l = l + 1)
                        class_sum = class_sum + {{6{zz[12*(8*s+l)+11]}}, zz[12*(8*s+l) +: 12]};
            end
        end
    endfunction

    // base <= 44, so base + 3 <= 47 is always a class.
    wire [5:0] idx0 = base[5:0];
    wire [5:0] idx1 = base[5:0] + 6'd1;
    wire [5:0] idx2 = base[5:0] + 6'd2;
    wire [5:0] idx3 = base[5:0] + 6'd3;

    reg [17:0] score [0:47];
    integer c;
    always @(posedge clk) begin
        if (clear) begin
            for (c = 0; c < 48; c = c + 1) score[c] <= 18'd0;
        end else if (close) begin
            score[idx0] <= score[idx0] + class_sum(2'd0, group, z);
            score[idx1] <= score[idx1] + class_sum(2'd1, group, z);
            score[idx2] <= score[idx2] + class_sum(2'd2, group, z);
            score[idx3] <= score[idx3] + class_sum(2'd3, group, z);
        end
    end

    genvar k;
    generate
        for (k = 0; k < 48; k = k + 1) begin : out
            assign scores[18*k +: 18] = score[k];
        end
    endgenerate
endmodule
