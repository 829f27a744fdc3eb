// Input packet receiver: 12 beats of 4 features (byte b of beat w = feature 4w + b),
// TLAST on beat 12, TUSER[0] of the first beat = utterance start. A packet of another
// length raises err_len and is dropped; a nonzero pad byte (features 40..47) raises
// err_pad and is stored as 0. A good packet is held (frame_valid) until frame_take; no
// beat is accepted meanwhile, nor while the controller is not waiting or !enable.
module rsnn_in_rx (
    clk, rst_n, enable, ctrl_ready, s_tdata, s_tvalid, s_tready, s_tlast, s_tuser,
    frame_valid, frame_utt, features, frame_take, receiving, err_pad, err_len
);
    `include "rsnn_dims.vh"   // dimensions, generated from model/rsnn.py
    localparam integer TDATA_W  = 32;                                   // input beat bits
    localparam integer IN_BEATS = N_INPUT_BUF * FEATURE_BITS / TDATA_W; // beats of a packet
    localparam integer PAD_BEAT = N_FEATURES * FEATURE_BITS / TDATA_W;  // its first pad beat
    localparam integer LAST_I   = IN_BEATS - 1;
    localparam integer BEAT_W   = $clog2(IN_BEATS + 1);
    localparam [BEAT_W-1:0] BEATS     = IN_BEATS[BEAT_W-1:0];
    localparam [BEAT_W-1:0] LAST_BEAT = LAST_I[BEAT_W-1:0];
    localparam [BEAT_W-1:0] FIRST_PAD = PAD_BEAT[BEAT_W-1:0];

    input  wire                                clk;
    input  wire                                rst_n;
    input  wire                                enable;       // CTRL.ENABLE
    input  wire                                ctrl_ready;   // controller waits for a packet
    input  wire [TDATA_W-1:0]                  s_tdata;
    input  wire                                s_tvalid;
    output wire                                s_tready;
    input  wire                                s_tlast;
    input  wire                                s_tuser;
    output reg                                 frame_valid;
    output reg                                 frame_utt;
    output reg  [N_INPUT_BUF*FEATURE_BITS-1:0] features;
    input  wire                                frame_take;
    output wire                                receiving;    // a packet has started and not ended
    output reg                                 err_pad;      // one-cycle pulses
    output reg                                 err_len;

    reg [BEAT_W-1:0] beat;       // beats of this packet so far, saturating at all ones
    reg              pad_seen;

    assign s_tready  = enable && ctrl_ready && !frame_valid;
    assign receiving = beat != {BEAT_W{1'b0}};

    wire       fire    = s_tvalid && s_tready;
    wire       is_pad  = beat >= FIRST_PAD && beat <= LAST_BEAT;
    wire       pad_bad = is_pad && s_tdata != {TDATA_W{1'b0}};

    always @(posedge clk) begin
        if (!rst_n) begin
            beat        <= {BEAT_W{1'b0}};
            pad_seen    <= 1'b0;
            frame_valid <= 1'b0;
            frame_utt   <= 1'b0;
            err_pad     <= 1'b0;
            err_len     <= 1'b0;
        end else begin
            err_pad <= 1'b0;
            err_len <= 1'b0;
            if (frame_take) frame_valid <= 1'b0;
            if (fire) begin
                if (beat < BEATS)
                    features[TDATA_W*beat +: TDATA_W] <= pad_bad ? {TDATA_W{1'b0}} : s_tdata;
                if (beat == {BEAT_W{1'b0}}) begin
                    frame_utt <= s_tuser;
                    pad_seen  <= 1'b0;
                end else if (pad_bad) begin
                    pad_seen <= 1'b1;
                end
                if (s_tlast) begin
                    beat <= {BEAT_W{1'b0}};
                    if (beat == LAST_BEAT) begin
                        frame_valid <= 1'b1;
                        err_pad     <= pad_seen || pad_bad;
                    end else begin
                        err_len <= 1'b1;
                    end
                end else if (beat != {BEAT_W{1'b1}}) begin
                    beat <= beat + 1'b1;
                end
            end
        end
    end
endmodule
