// Controller of qclif_network (docs/qclif_network.md "Controller"): takes one input
// beat per bin, runs the P passes (banks addressed in cycle k = 0..P-1, rows computed
// in cycle k+1), moves the spikes into the context register, latches the argmax on a
// sample's last bin, then sends the output beats. It owns the bin counters: cycles
// counted in the compute states (RUN, CTX, ARGMAX), synaptic operations and spikes.
module qclif_ctrl #(
    parameter integer N     = 200,
    parameter integer NP    = 20,
    parameter integer ROW_W = 4     // bank address bits
) (
    clk, rst_n, enable, spike_out, sample_reset, in_valid, in_last, in_ready, bin_start,
    sample_start, x_pop, mem_en, mem_row, step, step_row, fresh, step_spikes, ctx_load,
    pred_load, out_valid, out_ready, out_spike_phase, out_idx, out_last, busy, bins_done,
    cycles, synops, spikes, sample_cycles, err_sample_len
);
    `include "qclif_dims.vh"   // dimensions, generated from model/qclif.py

    input  wire                  clk;
    input  wire                  rst_n;
    input  wire                  enable;
    input  wire                  spike_out;        // sampled at bin start
    input  wire                  sample_reset;     // pulse: the next bin starts a sample
    // input beat
    input  wire                  in_valid;
    input  wire                  in_last;
    output wire                  in_ready;
    output wire                  bin_start;        // input handshake
    output wire                  sample_start;     // bin_start of a sample's first bin
    input  wire [IN_COUNT_W-1:0] x_pop;            // input bits set in this bin (stable during it)
    // passes
    output wire                  mem_en;
    output wire [ROW_W-1:0]      mem_row;
    output reg                   step;
    output reg  [ROW_W-1:0]      step_row;
    output reg                   fresh;            // this bin is a sample's first
    input  wire [NP-1:0]         step_spikes;
    output wire                  ctx_load;
    output wire                  pred_load;
    // output beats
    output wire                  out_valid;
    input  wire                  out_ready;
    output wire                  out_spike_phase;  // 1: spike-vector beats, 0: score beats
    output reg  [OUT_IDX_W-1:0]  out_idx;
    output wire                  out_last;
    output wire                  busy;
    // counters (32-bit, wrapping). bins_done, sample_acc and sample_bins are writable
    // from a testbench (Verilator keeps them public): their upper bits, the wrap and the
    // 65,536th bin need 2^16..2^32 bins or cycles, so test_qclif_coverage_corners.py
    // (counters_wrap, err_clear_race) preloads them.
    output reg  [31:0]           bins_done /*verilator public_flat_rw*/;
    output reg  [31:0]           cycles;
    output reg  [31:0]           synops;
    output reg  [31:0]           spikes;
    output reg  [31:0]           sample_cycles;
    output wire                  err_sample_len;

    localparam integer P          = N / NP;
    localparam integer SPK_BEATS  = (N + 31) / 32;
    localparam [2:0] S_IDLE = 3'd0, S_RUN = 3'd1, S_CTX = 3'd2, S_ARG = 3'd3, S_OUT = 3'd4;
    localparam [ROW_W:0]       K_LAST     = P[ROW_W:0];   // RUN cycles k = 0..P
    localparam integer         SPK_LAST_I = SPK_BEATS - 1;
    localparam [OUT_IDX_W-1:0] SPK_LAST   = SPK_LAST_I[OUT_IDX_W-1:0];
    localparam [OUT_IDX_W-1:0] PRED_BEAT  = N_CLASSES[OUT_IDX_W-1:0];   // after the scores
    localparam integer         IN_PAD     = 32 - IN_COUNT_W;      // to a 32-bit counter
    localparam integer         CNT_PAD    = 32 - SPIKE_COUNT_W;
    localparam [16:0]          MAX_BINS   = 17'd65535;

    reg [2:0]               state;
    reg [ROW_W:0]           k;
    reg                     first_bin;     // the next bin starts a sample
    reg                     last_q;        // this bin has TLAST
    reg                     spike_out_q;
    reg                     spk_phase;
    reg [SPIKE_COUNT_W-1:0] prev_pop;      // spikes of the previous bin (the context), 0 at start
    reg [SPIKE_COUNT_W-1:0] spk_cnt;
    reg [7:0]               cyc_cnt;
    reg [31:0]              sample_acc /*verilator public_flat_rw*/;
    reg [16:0]              sample_bins /*verilator public_flat_rw*/;

    function [SPIKE_COUNT_W-1:0] popcount(input [NP-1:0] b);
        integer i;
        begin
            popcount = {SPIKE_COUNT_W{1'b0}};
            for (i = 0; i < NP; i = i + 1)
                popcount = popcount + {{(SPIKE_COUNT_W - 1){1'b0}}, b[i]};
        end
    endfunction

    assign in_ready     = state == S_IDLE && enable && !sample_reset;
    assign bin_start    = in_ready && in_valid;
    assign sample_start = bin_start && first_bin;
    assign mem_en       = state == S_RUN && k != K_LAST;
    assign mem_row      = k[ROW_W-1:0];
    assign ctx_load     = state == S_CTX;
    assign pred_load    = state == S_ARG;
    assign busy         = state != S_IDLE;
    assign out_valid    = state == S_OUT;
    assign out_spike_phase = spk_phase;
    assign out_last     = spk_phase ? out_idx == SPK_LAST : out_idx == PRED_BEAT;
    assign err_sample_len = bin_start && !first_bin && sample_bins == MAX_BINS;

    // The bin's compute ends in CTX (or ARG on a sample's last bin).
    wire        compute_end = (state == S_CTX && !last_q) || state == S_ARG;
    wire [7:0]  bin_cycles  = cyc_cnt + 8'd1;
    wire [31:0] bin_synops  = ({{IN_PAD{1'b0}}, x_pop} + {{CNT_PAD{1'b0}}, prev_pop}) * N
                              + {{CNT_PAD{1'b0}}, spk_cnt} * N_CLASSES;
    wire        has_output  = spike_out_q || last_q;
    wire        beat_done   = out_valid && out_ready;

    always @(posedge clk) begin
        if (!rst_n) begin
            state         <= S_IDLE;
            k             <= {(ROW_W+1){1'b0}};
            step          <= 1'b0;
            step_row      <= {ROW_W{1'b0}};
            fresh         <= 1'b0;
            first_bin     <= 1'b1;
            last_q        <= 1'b0;
            spike_out_q   <= 1'b0;
            spk_phase     <= 1'b0;
            out_idx       <= {OUT_IDX_W{1'b0}};
            prev_pop      <= {SPIKE_COUNT_W{1'b0}};
            spk_cnt       <= {SPIKE_COUNT_W{1'b0}};
            cyc_cnt       <= 8'd0;
            sample_acc    <= 32'd0;
            sample_bins   <= 17'd0;
            bins_done          <= 32'd0;
            cycles        <= 32'd0;
            synops        <= 32'd0;
            spikes        <= 32'd0;
            sample_cycles <= 32'd0;
        end else begin
            step     <= mem_en;
            step_row <= mem_row;
            if (sample_reset) first_bin <= 1'b1;
            case (state)
                S_IDLE: if (bin_start) begin
                    state       <= S_RUN;
                    k           <= {(ROW_W+1){1'b0}};
                    fresh       <= first_bin;
                    first_bin   <= 1'b0;
                    last_q      <= in_last;
                    spike_out_q <= spike_out;
                    prev_pop    <= first_bin ? {SPIKE_COUNT_W{1'b0}} : spikes[SPIKE_COUNT_W-1:0];
                    spk_cnt     <= {SPIKE_COUNT_W{1'b0}};
                    cyc_cnt     <= 8'd0;
                    if (first_bin) begin
                        sample_acc  <= 32'd0;
                        sample_bins <= 17'd1;
                    end else if (sample_bins != MAX_BINS + 17'd1) begin
                        sample_bins <= sample_bins + 17'd1;
                    end
                end
                S_RUN: begin
                    cyc_cnt <= cyc_cnt + 8'd1;
                    if (step) spk_cnt <= spk_cnt + popcount(step_spikes);
                    k <= k + 1'b1;
                    if (k == K_LAST) state <= S_CTX;
                end
                S_CTX, S_ARG: begin
                    cyc_cnt <= cyc_cnt + 8'd1;
                    if (state == S_CTX && last_q) begin
                        state <= S_ARG;
                    end else begin
                        state     <= has_output ? S_OUT : S_IDLE;
                        spk_phase <= spike_out_q;
                        out_idx   <= {OUT_IDX_W{1'b0}};
                    end
                end
                S_OUT: if (beat_done) begin
                    out_idx <= out_idx + 1'b1;
                    if (out_last) begin
                        out_idx <= {OUT_IDX_W{1'b0}};
                        if (spk_phase && last_q) spk_phase <= 1'b0;
                        else                     state     <= S_IDLE;
                    end
                end
                default: state <= S_IDLE;
            endcase
            if (compute_end) begin
                bins_done       <= bins_done + 32'd1;
                cycles     <= {24'd0, bin_cycles};
                synops     <= bin_synops;
                spikes     <= {{CNT_PAD{1'b0}}, spk_cnt};
                sample_acc <= sample_acc + {24'd0, bin_cycles};
                if (last_q) begin
                    sample_cycles <= sample_acc + {24'd0, bin_cycles};
                    first_bin     <= 1'b1;
                end
            end
        end
    end
endmodule
