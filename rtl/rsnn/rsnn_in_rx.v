// Input packet receiver: 12 beats of 4 features (byte b of beat w = feature 4w + b),
// TLAST on beat 12, TUSER[0] of the first beat = utterance start. A packet of another
// length raises err_len and is dropped; a nonzero pad byte (features 40..47) raises
// err_pad and is stored as 0. A good packet is held (frame_valid) until frame_take; no
// beat is accepted meanwhile, nor while the controller is not waiting or !enable.
module rsnn_in_rx (
    input  wire            clk,
    input  wire            rst_n,
    input  wire            enable,      // CTRL.ENABLE
    input  wire            ctrl_ready,  // controller waits for a packet
    input  wire [31:0]     s_tdata,
    input  wire            s_tvalid,
    output wire            s_tready,
    input  wire            s_tlast,
    input  wire            s_tuser,
    output reg             frame_valid,
    output reg             frame_utt,
    output reg  [48*8-1:0] features,
    input  wire            frame_take,
    output wire            receiving,   // a packet has started and not ended
    output reg             err_pad,     // one-cycle pulses
    output reg             err_len
);
    reg [3:0] beat;       // beats of this packet so far, saturating at 15
    reg       pad_seen;

    assign s_tready  = enable && ctrl_ready && !frame_valid;
    assign receiving = beat != 4'd0;

    wire       fire    = s_tvalid && s_tready;
    wire       is_pad  = beat == 4'd10 || beat == 4'd11;
    wire       pad_bad = is_pad && s_tdata != 32'd0;

    always @(posedge clk) begin
        if (!rst_n) begin
            beat        <= 4'd0;
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
                if (beat < 4'd12) features[32*beat +: 32] <= pad_bad ? 32'd0 : s_tdata;
                if (beat == 4'd0) begin
                    frame_utt <= s_tuser;
                    pad_seen  <= 1'b0;
                end else if (pad_bad) begin
                    pad_seen <= 1'b1;
                end
                if (s_tlast) begin
                    beat <= 4'd0;
                    if (beat == 4'd11) begin
                        frame_valid <= 1'b1;
                        err_pad     <= pad_seen || pad_bad;
                    end else begin
                        err_len <= 1'b1;
                    end
                end else if (beat != 4'd15) begin
                    beat <= beat + 4'd1;
                end
            end
        end
    end
endmodule
