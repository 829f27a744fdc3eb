// Threshold comparator: spike = (v >= theta); on a spike theta is subtracted.
module qclif_threshold (
    input  wire [7:0] v,
    input  wire [7:0] theta,
    output wire       spike,
    output wire [7:0] v_out
);
    assign spike = (v >= theta);
    assign v_out = spike ? v - theta : v;
endmodule
