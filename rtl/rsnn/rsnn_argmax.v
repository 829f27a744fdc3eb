// Index of the largest of the N_CLASSES signed SCORE_BITS-bit scores, lowest index on ties.
module rsnn_argmax (
    scores, index
);
    `include "rsnn_dims.vh"   // dimensions, generated from model/rsnn.py

    input  wire [N_CLASSES*SCORE_BITS-1:0] scores;
    output reg  [CLASS_W-1:0]              index;

    reg signed [SCORE_BITS-1:0] best;
    reg signed [SCORE_BITS-1:0] cand;
    integer c;
    always @* begin
        best  = scores[SCORE_BITS-1:0];
        index = {CLASS_W{1'b0}};
        for (c = 1; c < N_CLASSES; c = c + 1) begin
            cand = scores[SCORE_BITS*c +: SCORE_BITS];
            if (cand > best) begin   // strictly greater keeps the lowest index on ties
                best  = cand;
                index = c[CLASS_W-1:0];
            end
        end
    end
endmodule
