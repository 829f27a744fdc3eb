// Index of the largest of 48 signed 18-bit scores, lowest index on ties.
module rsnn_argmax (
    input  wire [48*18-1:0] scores,
    output reg  [5:0]       index
);
    reg signed [17:0] best;
    reg signed [17:0] cand;
    integer c;
    always @* begin
        best  = scores[17:0];
        index = 6'd0;
        for (c = 1; c < 48; c = c + 1) begin
            cand = scores[18*c +: 18];
            if (cand > best) begin   // strictly greater keeps the lowest index on ties
                best  = cand;
                index = c[5:0];
            end
        end
    end
endmodule
