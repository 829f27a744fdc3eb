// Proof of rtl/common/axis_skid.v (docs/bus.md "axis_skid"), for every input sequence
// in which the upstream master keeps the AXI4-Stream rules (assumed through the
// protocol checker rtl/common/sva/axis_checker.sv) and any downstream TREADY, resets
// at any time included:
// - the output keeps the AXI4-Stream rules (the same checker, asserted);
// - no loss, no duplicate, order kept: output beat number i (data, TLAST, TUSER) is
//   input beat number i, for a symbolic i (the beat counters wrap; at most 2 beats are
//   inside, far less than the counter's period), and a beat inside is always offered;
// - full throughput: a beat taken in cycle c is offered in c + 1, and TREADY is high in
//   every cycle after one in which the sink was ready: with the sink always ready one
//   beat per cycle passes.
module axis_skid_fv #(
    parameter integer DATA_W = 8,
    parameter integer USER_W = 2
) (
    input wire              clk,
    input wire              rst_n,
    input wire [DATA_W-1:0] s_tdata,
    input wire              s_tvalid,
    input wire              s_tlast,
    input wire [USER_W-1:0] s_tuser,
    input wire              m_tready,
    input wire [2:0]        pick_in    // the symbolic beat number, chosen in the first cycle
);
    wire              s_tready, m_tvalid, m_tlast;
    wire [DATA_W-1:0] m_tdata;
    wire [USER_W-1:0] m_tuser;
    axis_skid #(.DATA_W(DATA_W), .USER_W(USER_W)) dut (
        .clk(clk), .rst_n(rst_n),
        .s_axis_tdata(s_tdata), .s_axis_tvalid(s_tvalid), .s_axis_tready(s_tready),
        .s_axis_tlast(s_tlast), .s_axis_tuser(s_tuser),
        .m_axis_tdata(m_tdata), .m_axis_tvalid(m_tvalid), .m_axis_tready(m_tready),
        .m_axis_tlast(m_tlast), .m_axis_tuser(m_tuser));

    axis_checker #(.DATA_W(DATA_W), .USER_W(USER_W), .ASSUME_MASTER(1)) in_rules (
        .clk(clk), .rst_n(rst_n), .tdata(s_tdata), .tvalid(s_tvalid), .tready(s_tready),
        .tlast(s_tlast), .tuser(s_tuser), .len_a(16'd0), .len_b(16'd0));
    axis_checker #(.DATA_W(DATA_W), .USER_W(USER_W), .ASSUME_MASTER(0)) out_rules (
        .clk(clk), .rst_n(rst_n), .tdata(m_tdata), .tvalid(m_tvalid), .tready(m_tready),
        .tlast(m_tlast), .tuser(m_tuser), .len_a(16'd0), .len_b(16'd0));

    // The first cycle is a reset cycle.
    reg init;
    initial init = 1'b1;
    always @(posedge clk) init <= 1'b0;
    always @* if (init) assume (!rst_n);

    // Beat counters (mod 8) and the symbolic beat.
    // Any beat number, taken from an input in the first cycle and held from then on (a
    // register that only holds itself would be optimized into a fresh value each cycle).
    reg [2:0]        pick;
    reg [2:0]        n_in, n_out;
    reg [DATA_W-1:0] pick_data;
    reg              pick_last;
    reg [USER_W-1:0] pick_user;
    reg              p_s_fire, p_m_tready, p_rst_n;
    wire             s_fire = s_tvalid && s_tready;
    wire             m_fire = m_tvalid && m_tready;
    wire [2:0]       inside = n_in - n_out;

    always @(posedge clk) begin
        if (init) pick <= pick_in;
        p_s_fire   <= s_fire;
        p_m_tready <= m_tready;
        p_rst_n    <= rst_n;
        if (!rst_n) begin
            n_in  <= 3'd0;
            n_out <= 3'd0;
        end else begin
            if (s_fire) n_in <= n_in + 3'd1;
            if (m_fire) n_out <= n_out + 3'd1;
            if (s_fire && n_in == pick) begin
                pick_data <= s_tdata;
                pick_last <= s_tlast;
                pick_user <= s_tuser;
            end
        end
    end

    always @* begin
        if (!init && rst_n) begin
            // Output beat number `pick` is input beat number `pick`: same data, TLAST, TUSER.
            if (m_fire && n_out == pick) FV_ORDER: assert (m_tdata == pick_data
                                                           && m_tlast == pick_last
                                                           && m_tuser == pick_user);
            // Never more beats out than in, at most two inside; a beat inside is offered.
            FV_COUNT: assert (inside <= 3'd2 && m_tvalid == (inside != 3'd0));
            // TREADY can only be low while two beats are inside (the skid is full).
            FV_READY: assert (s_tready == (inside != 3'd2));
        end
        if (!init && rst_n && p_rst_n) begin
            // A beat taken in one cycle is offered in the next.
            if (p_s_fire) FV_LATENCY: assert (m_tvalid);
            // After a cycle in which the sink was ready the slice takes a beat again.
            if (p_m_tready) FV_THROUGHPUT: assert (s_tready);
        end
    end
endmodule
