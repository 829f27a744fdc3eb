// Invariants of the rsnn frame controller (rtl/rsnn/rsnn_ctrl.v, docs/rsnn_top.md):
// legal states, one zero-skip walk at a time, the LIF only after its walk, step 1 only
// at T = 2, memories and PE sets quiet outside the compute states (the memories then
// belong to the register bus), and the live per-frame counters within the bounds the
// schedule of docs/rsnn.md allows (paper schedule, the longer one; features 40..47 are
// kept zero by the receiver). Bound by rsnn_ctrl_bind.sv. Each assertion NAME has a
// cover NAME_C that counts the cycles in which it checked something.
`ifndef SPIKEDV_SVA_MACROS
`define SPIKEDV_SVA_MACROS
`ifdef FORMAL
`define SVA_MSG(args)
`else
`define SVA_MSG(args) else $error args
`endif
`endif

module rsnn_ctrl_checker (
    input wire        clk,
    input wire        rst_n,
    input wire [3:0]  state,
    input wire        step,
    input wire        t2,
    input wire        compute,
    input wire        lif_en,
    input wire        l_walk_done,
    input wire        a_done,
    input wire        b0_done,
    input wire        b1_done,
    input wire        d0_done,
    input wire        d1_done,
    input wire        c_done,
    input wire        mem_reads,   // any weight memory enabled by the controller
    input wire        pe_ops,      // any PE set enabled
    input wire [15:0] c_in,
    input wire [15:0] c_l0,
    input wire [15:0] c_l1,
    input wire [15:0] c_fc,
    input wire [15:0] c_total,
    input wire [15:0] r_win,
    input wire [15:0] r_wrec,
    input wire [15:0] r_wfc,
    input wire        utt_reset,   // CTRL.UTT_RESET written this cycle
    input wire        utt_pending, // the next frame taken starts an utterance
    input wire        frame_utt    // the frame being taken has TUSER = 1
);
    localparam [3:0] S_WAIT = 4'd0, S_START = 4'd1, S_ARGMAX = 4'd9, S_SEND = 4'd10;
    // Largest counts of one frame (docs/rsnn.md "Schedule and cycle counts", paper
    // schedule; the union schedule never takes longer): IN 40*8 + 2, L0 128 + 3,
    // L1 256 + 3, FC 15 * (64 + 2), their sum + ARGMAX; 40 win rows, 384 wrec rows,
    // 15 * 128 wfc rows.
    localparam [15:0] MAX_IN = 16'd322, MAX_L0 = 16'd131, MAX_L1 = 16'd259,
                      MAX_FC = 16'd990, MAX_TOTAL = 16'd1703,
                      MAX_WIN = 16'd40, MAX_WREC = 16'd384, MAX_WFC = 16'd1920;

    reg seen_reset;
    reg armed;
    reg utt_reset_q, start_q, start_utt_q;   // the previous cycle's
    always @(posedge clk) begin
        utt_reset_q <= rst_n && utt_reset;
        start_q     <= state == S_START;
        start_utt_q <= utt_pending || frame_utt;
    end
    initial begin
        seen_reset = 1'b0;
        armed      = 1'b0;
    end
    always @(posedge clk) begin
        seen_reset <= seen_reset || !rst_n;
        armed      <= rst_n && seen_reset;
    end

    wire [2:0] walks = {2'd0, !a_done} + {2'd0, !(b0_done && b1_done)} + {2'd0, !d0_done}
                     + {2'd0, !d1_done} + {2'd0, !c_done};
    wire all_done    = a_done && b0_done && b1_done && d0_done && d1_done && c_done;
    wire cycles_ok   = c_in <= MAX_IN && c_l0 <= MAX_L0 && c_l1 <= MAX_L1 && c_fc <= MAX_FC
                       && c_total <= MAX_TOTAL;
    wire reads_ok    = r_win <= MAX_WIN && r_wrec <= MAX_WREC && r_wfc <= MAX_WFC;

    always @(posedge clk) begin
        if (armed && rst_n) begin
            // The state register holds one of the 11 states (WAIT .. SEND).
            RSNN_CTRL_STATE_LEGAL: assert (state <= S_SEND)
                `SVA_MSG(("RSNN_CTRL_STATE_LEGAL: state %0d is not a state of rsnn_ctrl", state));
            RSNN_CTRL_STATE_LEGAL_C: cover (state == S_SEND);
            // Outside the compute states (WAIT, START, SEND) no weight memory is read
            // and no PE set adds: the memories belong to the register bus then.
            RSNN_CTRL_IDLE_QUIET: assert (compute || !(mem_reads || pe_ops || lif_en))
                `SVA_MSG(("RSNN_CTRL_IDLE_QUIET: state %0d (not computing) with memory reads %b, PE ops %b, LIF %b",
                          state, mem_reads, pe_ops, lif_en));
            RSNN_CTRL_IDLE_QUIET_C: cover (!compute);
            // While waiting for a packet every zero-skip unit is done (idle).
            RSNN_CTRL_WAIT_UNITS_DONE: assert (state != S_WAIT || all_done)
                `SVA_MSG(("RSNN_CTRL_WAIT_UNITS_DONE: a zero-skip unit runs while the controller waits (a %b b %b%b d %b%b c %b)",
                          a_done, b0_done, b1_done, d0_done, d1_done, c_done));
            RSNN_CTRL_WAIT_UNITS_DONE_C: cover (state == S_WAIT);
            // At most one zero-skip walk runs at a time (the B pair counts as one).
            RSNN_CTRL_ONE_WALK: assert (walks <= 3'd1)
                `SVA_MSG(("RSNN_CTRL_ONE_WALK: %0d zero-skip walks at once", walks));
            RSNN_CTRL_ONE_WALK_C: cover (walks == 3'd1);
            // A LIF cycle only after the layer's walk has ended.
            RSNN_CTRL_LIF_AFTER_WALK: assert (!lif_en || l_walk_done)
                `SVA_MSG(("RSNN_CTRL_LIF_AFTER_WALK: LIF step while a layer walk still runs"));
            RSNN_CTRL_LIF_AFTER_WALK_C: cover (lif_en);
            // LIF step 1 exists only at T = 2.
            RSNN_CTRL_STEP1_AT_T2: assert (!(lif_en && step) || t2)
                `SVA_MSG(("RSNN_CTRL_STEP1_AT_T2: LIF step 1 in a T = 1 utterance"));
            RSNN_CTRL_STEP1_AT_T2_C: cover (lif_en && step);
            // The live phase-cycle counters stay within one frame's largest counts.
            RSNN_CTRL_CYCLES_BOUNDED: assert (cycles_ok)
                `SVA_MSG(("RSNN_CTRL_CYCLES_BOUNDED: cycles in %0d l0 %0d l1 %0d fc %0d total %0d above the frame bounds %0d %0d %0d %0d %0d",
                          c_in, c_l0, c_l1, c_fc, c_total, MAX_IN, MAX_L0, MAX_L1, MAX_FC, MAX_TOTAL));
            RSNN_CTRL_CYCLES_BOUNDED_C: cover (state == S_ARGMAX);
            // The live read counters stay within the rows a frame can read.
            RSNN_CTRL_READS_BOUNDED: assert (reads_ok)
                `SVA_MSG(("RSNN_CTRL_READS_BOUNDED: reads win %0d wrec %0d wfc %0d above %0d %0d %0d",
                          r_win, r_wrec, r_wfc, MAX_WIN, MAX_WREC, MAX_WFC));
            RSNN_CTRL_READS_BOUNDED_C: cover (state == S_ARGMAX && r_wfc != 16'd0);
            // A UTT_RESET is never lost: after a cycle with the write, the next frame
            // is marked to start an utterance, also when the write falls in the very
            // cycle a frame is taken (that frame may clear the mark only without one).
            RSNN_CTRL_UTT_RESET_KEPT: assert (!utt_reset_q || utt_pending)
                `SVA_MSG(("RSNN_CTRL_UTT_RESET_KEPT: CTRL.UTT_RESET written, no utterance start pending after it"));
            RSNN_CTRL_UTT_RESET_KEPT_C: cover (utt_reset_q && start_q && start_utt_q);
        end
    end
endmodule
