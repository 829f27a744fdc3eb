// One qclif neuron step, combinational: the five blocks of docs/qclif.md chained.
// From the state (va, v), this bin's input bits and last bin's context spikes it gives
// the next state and the spike. Kept apart from the state registers so a
// time-multiplexed unit can feed it state read from memory.
module qclif_neuron_datapath #(
    parameter integer N_IN  = 200,
    parameter integer N_CTX = 200
) (
    in_bits, in_weights, ctx_bits, ctx_weights, va, v, la, ls, g0, theta, si, sa, sd,
    va_next, v_next, spike
);
    `include "qclif_dims.vh"   // dimensions, generated from model/qclif.py

    input  wire [N_IN-1:0]            in_bits;
    input  wire [LANE_BITS*N_IN-1:0]  in_weights;
    input  wire [N_CTX-1:0]           ctx_bits;
    input  wire [LANE_BITS*N_CTX-1:0] ctx_weights;
    input  wire [7:0]                 va;
    input  wire [7:0]                 v;
    input  wire [7:0]                 la;
    input  wire [7:0]                 ls;
    input  wire [7:0]                 g0;
    input  wire [7:0]                 theta;
    input  wire [3:0]                 si;
    input  wire [3:0]                 sa;
    input  wire [3:0]                 sd;
    output wire [7:0]                 va_next;
    output wire [7:0]                 v_next;
    output wire                       spike;

    wire [CURRENT_BITS-1:0] i_s, i_a;   // sat_8 currents
    wire [7:0]              v_soma;
    wire [8:0]              g;
    wire [17:0]             d;

    qclif_spike_weighting #(.K(N_IN), .SHIFT_W(4)) u_input (
        .bits(in_bits), .weights(in_weights), .shift(si), .result(i_s));
    qclif_spike_weighting #(.K(N_CTX), .SHIFT_W(4)) u_context (
        .bits(ctx_bits), .weights(ctx_weights), .shift(sa), .result(i_a));
    qclif_apical u_apical (.va(va), .la(la), .ia(i_a), .g0(g0), .va_new(va_next), .g(g));
    qclif_mult u_mult (.i_s(i_s), .g(g), .sd(sd), .d(d));
    qclif_soma u_soma (.v(v), .ls(ls), .d(d), .v_new(v_soma));
    qclif_threshold u_threshold (.v(v_soma), .theta(theta), .spike(spike), .v_out(v_next));
endmodule
