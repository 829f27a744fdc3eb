// Readout of qclif_network: 11 signed 32-bit score accumulators. In a step cycle every
// unit that spiked adds its neuron's Wout row; `latch_pred` registers the argmax
// (lowest class index on ties). The sum is a function evaluated at the clock edge only,
// so an event simulator does not re-add on every bank-output change.
module qclif_readout #(
    parameter integer NP = 20
) (
    input  wire            clk,
    input  wire            clear,
    input  wire            add,
    input  wire [NP-1:0]   spikes,
    input  wire [NP*88-1:0] wout_rows,
    input  wire            latch_pred,
    output reg  [11*32-1:0] scores,
    output reg  [3:0]      pred
);
    function [11*32-1:0] accumulate(input [11*32-1:0] acc, input [NP-1:0] s,
                                    input [NP*88-1:0] w);
        integer u, c;
        reg [31:0] a;
        begin
            for (c = 0; c < 11; c = c + 1) begin
                a = acc[32*c +: 32];
                for (u = 0; u < NP; u = u + 1)
                    if (s[u]) a = a + {{24{w[88*u + 8*c + 7]}}, w[88*u + 8*c +: 8]};
                accumulate[32*c +: 32] = a;
            end
        end
    endfunction

    function [3:0] argmax(input [11*32-1:0] sc);
        integer c;
        reg signed [31:0] best;
        begin
            argmax = 4'd0;
            best   = sc[31:0];
            for (c = 1; c < 11; c = c + 1)
                if ($signed(sc[32*c +: 32]) > best) begin
                    best   = sc[32*c +: 32];
                    argmax = c[3:0];
                end
        end
    endfunction

    always @(posedge clk) begin
        if (clear)    scores <= {11*32{1'b0}};
        else if (add) scores <= accumulate(scores, spikes, wout_rows);
        if (latch_pred) pred <= argmax(scores);
    end
endmodule
