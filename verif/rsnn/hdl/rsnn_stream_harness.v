// Testbench HDL (not part of the design): rsnn_accel with its three AXI4-Stream ports
// driven and collected in HDL, for long runs (inference, benchmarks). A cocotb testbench
// that moves every beat itself wakes Python ~70 times per frame; through this harness it
// wakes about three times: it writes a whole frame and toggles frame_req, and it reads a
// whole score packet or spike packet when scores_seen / spikes_seen count up.
//
// Input: while frame_req != frame_ack the 12 beats of frame_data go out back to back
// (word i = frame_data[32i +: 32], TUSER = frame_first on every beat, TLAST on beat 11);
// frame_ack toggles when the last beat is taken. Outputs: TREADY is held high; each score
// packet's words land in score_words (word i at [32i +: 32]) and each spike-tap packet's
// beats in spike_beats (beat j at [128j +: 128]); score_len / spike_len are the last
// packet's beat counts, so the testbench checks the packet framing (49 and 2T beats).
// AXI4-Lite passes straight through. TVALID gaps and TREADY stalls are not produced here:
// the protocol tests drive rsnn_accel directly with cocotbext-axi for those.
module rsnn_stream_harness (
    input  wire          clk,
    input  wire          rst_n,
    input  wire [15:0]   s_axil_awaddr,
    input  wire [2:0]    s_axil_awprot,
    input  wire          s_axil_awvalid,
    output wire          s_axil_awready,
    input  wire [31:0]   s_axil_wdata,
    input  wire [3:0]    s_axil_wstrb,
    input  wire          s_axil_wvalid,
    output wire          s_axil_wready,
    output wire [1:0]    s_axil_bresp,
    output wire          s_axil_bvalid,
    input  wire          s_axil_bready,
    input  wire [15:0]   s_axil_araddr,
    input  wire [2:0]    s_axil_arprot,
    input  wire          s_axil_arvalid,
    output wire          s_axil_arready,
    output wire [31:0]   s_axil_rdata,
    output wire [1:0]    s_axil_rresp,
    output wire          s_axil_rvalid,
    input  wire          s_axil_rready,
    input  wire [383:0]  frame_data,
    input  wire          frame_first,
    input  wire          frame_req,
    output reg           frame_ack,
    output wire [1567:0] score_words,
    output wire [5:0]    score_len,
    output wire [31:0]   scores_seen,
    output wire [511:0]  spike_beats,
    output wire [2:0]    spike_len,
    output wire [31:0]   spikes_seen
);
    localparam [3:0] LAST_IN_BEAT = 4'd11;

    // ---- feature frames in ----
    reg  [3:0]  in_beat;
    wire        s_axis_tvalid = frame_req != frame_ack;
    wire        s_axis_tready;
    wire [31:0] s_axis_tdata = frame_data[{in_beat, 5'd0} +: 32];
    wire        s_axis_tlast = in_beat == LAST_IN_BEAT;

    always @(posedge clk) begin
        if (!rst_n) begin
            in_beat   <= 4'd0;
            frame_ack <= frame_req;   // nothing pending out of reset
        end else if (s_axis_tvalid && s_axis_tready) begin
            in_beat <= s_axis_tlast ? 4'd0 : in_beat + 4'd1;
            if (s_axis_tlast)
                frame_ack <= ~frame_ack;
        end
    end

    // ---- scores and spike tap out (TREADY held high) ----
    wire [31:0]  m_axis_tdata;
    wire         m_axis_tvalid;
    wire         m_axis_tlast;
    wire [127:0] m_axis_spk_tdata;
    wire         m_axis_spk_tvalid;
    wire         m_axis_spk_tlast;

    stream_packet_capture #(.BEAT_W(32), .MAX_BEATS(49), .LEN_W(6)) u_scores (
        .clk(clk), .rst_n(rst_n), .tdata(m_axis_tdata), .tvalid(m_axis_tvalid),
        .tlast(m_axis_tlast), .beats(score_words), .len(score_len), .seen(scores_seen)
    );
    stream_packet_capture #(.BEAT_W(128), .MAX_BEATS(4), .LEN_W(3)) u_spikes (
        .clk(clk), .rst_n(rst_n), .tdata(m_axis_spk_tdata), .tvalid(m_axis_spk_tvalid),
        .tlast(m_axis_spk_tlast), .beats(spike_beats), .len(spike_len), .seen(spikes_seen)
    );

    rsnn_accel u_accel (
        .clk(clk), .rst_n(rst_n),
        .s_axil_awaddr(s_axil_awaddr), .s_axil_awprot(s_axil_awprot),
        .s_axil_awvalid(s_axil_awvalid), .s_axil_awready(s_axil_awready),
        .s_axil_wdata(s_axil_wdata), .s_axil_wstrb(s_axil_wstrb),
        .s_axil_wvalid(s_axil_wvalid), .s_axil_wready(s_axil_wready),
        .s_axil_bresp(s_axil_bresp), .s_axil_bvalid(s_axil_bvalid),
        .s_axil_bready(s_axil_bready),
        .s_axil_araddr(s_axil_araddr), .s_axil_arprot(s_axil_arprot),
        .s_axil_arvalid(s_axil_arvalid), .s_axil_arready(s_axil_arready),
        .s_axil_rdata(s_axil_rdata), .s_axil_rresp(s_axil_rresp),
        .s_axil_rvalid(s_axil_rvalid), .s_axil_rready(s_axil_rready),
        .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid),
        .s_axis_tready(s_axis_tready), .s_axis_tlast(s_axis_tlast),
        .s_axis_tuser(frame_first),
        .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(1'b1), .m_axis_tlast(m_axis_tlast),
        .m_axis_spk_tdata(m_axis_spk_tdata), .m_axis_spk_tvalid(m_axis_spk_tvalid),
        .m_axis_spk_tready(1'b1), .m_axis_spk_tlast(m_axis_spk_tlast)
    );
endmodule
