// Readout of qclif_network: N_CLASSES (11) signed SCORE_BITS-bit (32) score
// accumulators. In a step cycle every unit that spiked adds its neuron's Wout row;
// `latch_pred` registers the argmax (lowest class index on ties). The sum is a function
// evaluated at the clock edge only, so an event simulator does not re-add on every
// bank-output change.
module qclif_readout #(
    parameter integer NP = 20
) (
    clk, clear, add, spikes, wout_rows, latch_pred, scores, pred
);
    `include "qclif_dims.vh"   // dimensions, generated from model/qclif.py

    input  wire                            clk;
    input  wire                            clear;
    input  wire                            add;
    input  wire [NP-1:0]                   spikes;
    input  wire [NP*WOUT_ROW_BITS-1:0]     wout_rows;
    input  wire                            latch_pred;
    output reg  [N_CLASSES*SCORE_BITS-1:0] scores;
    output reg  [CLASS_W-1:0]              pred;

    function [N_CLASSES*SCORE_BITS-1:0] accumulate(input [N_CLASSES*SCORE_BITS-1:0] acc,
                                                  input [NP-1:0] s,
                                                  input [NP*WOUT_ROW_BITS-1:0] w);
        integer u, c;
        reg [SCORE_BITS-1:0] a;
        reg [LANE_BITS-1:0]  lane;   // Wout[neuron of unit u][c]
        begin
            for (c = 0; c < N_CLASSES; c = c + 1) begin
                a = acc[SCORE_BITS*c +: SCORE_BITS];
                for (u = 0; u < NP; u = u + 1) begin
                    lane = w[WOUT_ROW_BITS*u + LANE_BITS*c +: LANE_BITS];
                    if (s[u]) a = a + {{(SCORE_BITS - LANE_BITS){lane[LANE_BITS-1]}}, lane};
                end
                accumulate[SCORE_BITS*c +: SCORE_BITS] = a;
            end
        end
    endfunction

    function [CLASS_W-1:0] argmax(input [N_CLASSES*SCORE_BITS-1:0] sc);
        integer c;
        reg signed [SCORE_BITS-1:0] best;
        begin
            argmax = {CLASS_W{1'b0}};
            best   = sc[SCORE_BITS-1:0];
            for (c = 1; c < N_CLASSES; c = c + 1)
                if ($signed(sc[SCORE_BITS*c +: SCORE_BITS]) > best) begin
                    best   = sc[SCORE_BITS*c +: SCORE_BITS];
                    argmax = c[CLASS_W-1:0];
                end
        end
    endfunction

    always @(posedge clk) begin
        if (clear)    scores <= {N_CLASSES*SCORE_BITS{1'b0}};
        else if (add) scores <= accumulate(scores, spikes, wout_rows);
        if (latch_pred) pred <= argmax(scores);
    end
endmodule
