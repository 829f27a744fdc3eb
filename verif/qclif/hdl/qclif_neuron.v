// One qclif neuron: holds Va and V and the spike of the last step.
// step: one time bin (inputs and context of that bin are valid this cycle).
// clear: sample start, Va = V = spike = 0; it wins over step.
module qclif_neuron #(
    parameter integer N_IN  = 200,
    parameter integer N_CTX = 200
) (
    input  wire               clk,
    input  wire               rst_n,
    input  wire               step,
    input  wire               clear,
    input  wire [N_IN-1:0]    in_bits,
    input  wire [8*N_IN-1:0]  in_weights,
    input  wire [N_CTX-1:0]   ctx_bits,
    input  wire [8*N_CTX-1:0] ctx_weights,
    input  wire [7:0]         la,
    input  wire [7:0]         ls,
    input  wire [7:0]         g0,
    input  wire [7:0]         theta,
    input  wire [3:0]         si,
    input  wire [3:0]         sa,
    input  wire [3:0]         sd,
    output reg                spike,
    output reg  [7:0]         va,
    output reg  [7:0]         v
);
    wire [7:0] va_next, v_next;
    wire       spike_next;

    qclif_neuron_datapath #(.N_IN(N_IN), .N_CTX(N_CTX)) u_datapath (
        .in_bits(in_bits), .in_weights(in_weights),
        .ctx_bits(ctx_bits), .ctx_weights(ctx_weights),
        .va(va), .v(v), .la(la), .ls(ls), .g0(g0), .theta(theta),
        .si(si), .sa(sa), .sd(sd),
        .va_next(va_next), .v_next(v_next), .spike(spike_next));

    always @(posedge clk) begin
        if (!rst_n || clear) begin
            va    <= 8'd0;
            v     <= 8'd0;
            spike <= 1'b0;
        end else if (step) begin
            va    <= va_next;
            v     <= v_next;
            spike <= spike_next;
        end
    end
endmodule
