// Invariants of the qclif controller (rtl/qclif/qclif_ctrl.v, docs/qclif_network.md):
// legal states, the pass counter and bank rows within the P passes of a bin, the output
// beat index within its packet, the per-bin counters within their bounds, and nothing
// happening while idle. Bound by qclif_ctrl_bind.sv. Each assertion NAME has a cover
// NAME_C that counts the cycles in which it checked something.
`ifndef SPIKEDV_SVA_MACROS
`define SPIKEDV_SVA_MACROS
`ifdef FORMAL
`define SVA_MSG(args)
`else
`define SVA_MSG(args) else $error args
`endif
`endif

module qclif_ctrl_checker #(
    parameter integer N     = 200,
    parameter integer NP    = 20,
    parameter integer ROW_W = 4
) (
    input wire             clk,
    input wire             rst_n,
    input wire [2:0]       state,
    input wire [ROW_W:0]   k,
    input wire             step,
    input wire [ROW_W-1:0] step_row,
    input wire             mem_en,
    input wire             ctx_load,
    input wire             out_valid,
    input wire             spk_phase,
    input wire [3:0]       out_idx,
    input wire [7:0]       cyc_cnt,
    input wire [7:0]       spk_cnt,
    input wire [7:0]       prev_pop,
    input wire [16:0]      sample_bins
);
    localparam integer P         = N / NP;
    localparam integer SPK_BEATS = (N + 31) / 32;
    localparam [2:0] S_IDLE = 3'd0, S_RUN = 3'd1, S_OUT = 3'd4;

    reg seen_reset;
    reg armed;
    initial begin
        seen_reset = 1'b0;
        armed      = 1'b0;
    end
    always @(posedge clk) begin
        seen_reset <= seen_reset || !rst_n;
        armed      <= rst_n && seen_reset;
    end

    wire [31:0] last_idx = spk_phase ? SPK_BEATS - 1 : 11;
    wire counters_ok = {24'd0, cyc_cnt} <= P + 3 && {24'd0, spk_cnt} <= N
                       && {24'd0, prev_pop} <= N && sample_bins <= 17'd65536;

    always @(posedge clk) begin
        if (armed && rst_n) begin
            // The state register holds one of IDLE, RUN, CTX, ARG, OUT.
            QCLIF_CTRL_STATE_LEGAL: assert (state <= S_OUT)
                `SVA_MSG(("QCLIF_CTRL_STATE_LEGAL: state %0d is not a state of qclif_ctrl", state));
            QCLIF_CTRL_STATE_LEGAL_C: cover (state == S_OUT);
            // The pass counter runs 0..P in RUN (P + 1 after its last pass); a step
            // writes one of the P bank rows.
            QCLIF_CTRL_PASS_BOUNDED: assert ({{(31 - ROW_W){1'b0}}, k} <= (state == S_RUN ? P : P + 1)
                                             && (!step || {{(32 - ROW_W){1'b0}}, step_row} < P))
                `SVA_MSG(("QCLIF_CTRL_PASS_BOUNDED: pass %0d, step %b row %0d with P = %0d",
                          k, step, step_row, P));
            QCLIF_CTRL_PASS_BOUNDED_C: cover (step);
            // An output beat's index lies in its packet: 12 score beats, ceil(N/32) spike beats.
            QCLIF_CTRL_OUT_IDX_BOUNDED: assert (!out_valid || {28'd0, out_idx} <= last_idx)
                `SVA_MSG(("QCLIF_CTRL_OUT_IDX_BOUNDED: beat index %0d of a %s packet",
                          out_idx, spk_phase ? "spike" : "score"));
            QCLIF_CTRL_OUT_IDX_BOUNDED_C: cover (out_valid && {28'd0, out_idx} == last_idx);
            // Cycles counted in a bin <= P + 3 (P + 1 passes, CTX, ARGMAX on a sample's
            // last bin), spikes of a bin and of the context <= N, bins of a sample <=
            // 65,536 (the error bound).
            QCLIF_CTRL_COUNTERS_BOUNDED: assert (counters_ok)
                `SVA_MSG(("QCLIF_CTRL_COUNTERS_BOUNDED: cycles %0d spikes %0d context %0d bins %0d (P %0d, N %0d)",
                          cyc_cnt, spk_cnt, prev_pop, sample_bins, P, N));
            QCLIF_CTRL_COUNTERS_BOUNDED_C: cover (state != S_IDLE);
            // Idle: no bank read, no neuron step, no context move, no output beat.
            QCLIF_CTRL_IDLE_QUIET: assert (state != S_IDLE || !(mem_en || step || ctx_load || out_valid))
                `SVA_MSG(("QCLIF_CTRL_IDLE_QUIET: idle with mem_en %b step %b ctx_load %b out_valid %b",
                          mem_en, step, ctx_load, out_valid));
            QCLIF_CTRL_IDLE_QUIET_C: cover (state == S_IDLE);
        end
    end
endmodule
