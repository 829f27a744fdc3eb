// Output sender of one frame: N_CLASSES + 1 beats on the output stream (the class
// scores sign-extended from SCORE_BITS, then the predicted class, TLAST on the last)
// and, when `tap`, 2T beats on the spike tap (S0[0], S1[0], then S0[1], S1[1] at
// T = 2). Both streams run in parallel; `done` pulses when both are through. Inputs
// hold meanwhile.
module rsnn_out_tx (
    clk, rst_n, start, t2, tap, scores, pred, s0_k0, s0_k1, s1_k0, s1_k1, out_tdata,
    out_tvalid, out_tready, out_tlast, spk_tdata, spk_tvalid, spk_tready, spk_tlast, done
);
    `include "rsnn_dims.vh"   // dimensions, generated from model/rsnn.py
    localparam integer TDATA_W   = 32;              // output stream beat bits
    localparam integer OUT_BEATS = N_CLASSES + 1;   // the scores, then the prediction
    localparam integer BEAT_W    = $clog2(OUT_BEATS + 1);
    localparam [BEAT_W-1:0] PRED_BEAT = N_CLASSES[BEAT_W-1:0];
    localparam [BEAT_W-1:0] ALL_SENT  = OUT_BEATS[BEAT_W-1:0];

    input  wire                            clk;
    input  wire                            rst_n;
    input  wire                            start;
    input  wire                            t2;
    input  wire                            tap;
    input  wire [N_CLASSES*SCORE_BITS-1:0] scores;
    input  wire [CLASS_W-1:0]              pred;
    input  wire [N_NEURONS-1:0]            s0_k0;
    input  wire [N_NEURONS-1:0]            s0_k1;
    input  wire [N_NEURONS-1:0]            s1_k0;
    input  wire [N_NEURONS-1:0]            s1_k1;
    output wire [TDATA_W-1:0]              out_tdata;
    output wire                            out_tvalid;
    input  wire                            out_tready;
    output wire                            out_tlast;
    output reg  [N_NEURONS-1:0]            spk_tdata;
    output wire                            spk_tvalid;
    input  wire                            spk_tready;
    output wire                            spk_tlast;
    output wire                            done;

    reg              active;
    reg [BEAT_W-1:0] oidx;   // next output beat, ALL_SENT = all sent
    reg [2:0]        sidx;   // next spike beat
    reg              tap_q;

    wire [2:0]            spk_beats = t2 ? 3'd4 : 3'd2;
    wire                  out_more  = oidx != ALL_SENT;
    wire                  spk_more  = tap_q && sidx != spk_beats;
    wire [SCORE_BITS-1:0] score     = scores[SCORE_BITS*oidx +: SCORE_BITS];

    assign out_tvalid = active && out_more;
    assign out_tdata  = (oidx == PRED_BEAT)
                      ? {{(TDATA_W - CLASS_W){1'b0}}, pred}
                      : {{(TDATA_W - SCORE_BITS){score[SCORE_BITS-1]}}, score};
    assign out_tlast  = oidx == PRED_BEAT;
    assign spk_tvalid = active && spk_more;
    assign spk_tlast  = sidx == spk_beats - 3'd1;
    assign done       = active && !out_more && !spk_more;

    always @* begin
        case (sidx)
            3'd0:    spk_tdata = s0_k0;
            3'd1:    spk_tdata = s1_k0;
            3'd2:    spk_tdata = s0_k1;
            default: spk_tdata = s1_k1;
        endcase
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            active <= 1'b0;
            oidx   <= {BEAT_W{1'b0}};
            sidx   <= 3'd0;
            tap_q  <= 1'b0;
        end else if (start) begin
            active <= 1'b1;
            oidx   <= {BEAT_W{1'b0}};
            sidx   <= 3'd0;
            tap_q  <= tap;
        end else if (active) begin
            if (out_tvalid && out_tready) oidx <= oidx + 1'b1;
            if (spk_tvalid && spk_tready) sidx <= sidx + 3'd1;
            if (done) active <= 1'b0;
        end
    end
endmodule
