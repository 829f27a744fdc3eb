// Input packet framing of rsnn (docs/rsnn.md "AXI4-Stream input", rtl/rsnn/rsnn_in_rx.v):
// a packet of exactly 12 beats becomes a frame (frame_valid), a packet of any other
// length raises ERR.PKT_LEN and is dropped; while a frame waits for the controller no
// beat is accepted, and a frame leaves only when the controller takes it. Input packets
// of other lengths are legal on the bus (the error path), so the 12-beat rule is
// checked on the receiver's reaction rather than on TLAST. Bound by rsnn_in_rx_bind.sv.
// Each assertion NAME has a cover NAME_C.
`ifndef SPIKEDV_SVA_MACROS
`define SPIKEDV_SVA_MACROS
`ifdef FORMAL
`define SVA_MSG(args)
`else
`define SVA_MSG(args) else $error args
`endif
`endif

module rsnn_in_rx_checker (
    input wire       clk,
    input wire       rst_n,
    input wire       s_tvalid,
    input wire       s_tready,
    input wire       s_tlast,
    input wire [3:0] beat,          // beats of the packet so far (receiver's counter)
    input wire       frame_valid,
    input wire       frame_take,
    input wire       err_len
);
    reg seen_reset;
    reg armed;
    initial begin
        seen_reset = 1'b0;
        armed      = 1'b0;
    end
    reg       p_end, p_frame_valid, p_frame_take;
    reg [3:0] p_beat;
    always @(posedge clk) begin
        seen_reset    <= seen_reset || !rst_n;
        armed         <= rst_n && seen_reset;
        p_end         <= s_tvalid && s_tready && s_tlast;
        p_beat        <= beat;
        p_frame_valid <= frame_valid;
        p_frame_take  <= frame_take;
    end

    wire good = p_beat == 4'd11;   // TLAST on the 12th beat

    always @(posedge clk) begin
        if (armed && rst_n) begin
            // After a packet's last beat: 12 beats -> a frame and no length error;
            // any other length -> ERR.PKT_LEN and no frame.
            RSNN_RX_PACKET_LEN: assert (!p_end || (good ? (frame_valid && !err_len)
                                                        : (err_len && !frame_valid)))
                `SVA_MSG(("RSNN_RX_PACKET_LEN: packet of %0d beats gave frame_valid %b err_len %b",
                          p_beat + 4'd1, frame_valid, err_len));
            RSNN_RX_PACKET_LEN_C: cover (p_end && !good);
            // No beat is accepted while a frame waits for the controller.
            RSNN_RX_HOLD: assert (!frame_valid || !s_tready)
                `SVA_MSG(("RSNN_RX_HOLD: s_tready high while a frame waits"));
            RSNN_RX_HOLD_C: cover (frame_valid);
            // A waiting frame leaves only when the controller takes it.
            RSNN_RX_FRAME_HELD: assert (!(p_frame_valid && !frame_valid) || p_frame_take)
                `SVA_MSG(("RSNN_RX_FRAME_HELD: frame dropped without frame_take"));
            RSNN_RX_FRAME_HELD_C: cover (p_frame_valid && p_frame_take);
        end
    end
endmodule
