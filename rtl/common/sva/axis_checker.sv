// AXI4-Stream protocol checker (SystemVerilog, never part of the synthesizable RTL).
// Attached with `bind` (rtl/*/sva/<module>_bind.sv): Verilator builds of the test suite
// compile it with --assert (verif/sources.py assertion_sources); Icarus never sees it;
// yosys reads it with -formal for the proofs under formal/ (docs/formal.md).
//
// Every rule here is a rule on the stream's master (the side driving TVALID). In
// simulation all are assertions: on a design's output they check the design, on its
// input they check the testbench. In a proof the input side's rules are assumptions
// (ASSUME_MASTER = 1) and the output side's are assertions. Each assertion NAME has a
// cover NAME_C beside it that counts the cycles in which it checked something.
//
// Properties are sampled at the rising clock edge, from the second cycle after the
// first reset on (`armed`: a reset was seen and the previous cycle was out of it).
`ifndef SPIKEDV_SVA_MACROS
`define SPIKEDV_SVA_MACROS
`ifdef FORMAL
`define SVA_MSG(args)
`else
`define SVA_MSG(args) else $error args
`endif
`endif

module axis_checker #(
    parameter integer DATA_W        = 32,
    parameter integer USER_W        = 1,
    parameter integer ASSUME_MASTER = 0,   // 1: the master's rules are assumptions (proofs)
    parameter integer USER_PACKET   = 0    // 1: TUSER is the same on every beat of a packet
) (
    input wire              clk,
    input wire              rst_n,
    input wire [DATA_W-1:0] tdata,
    input wire              tvalid,
    input wire              tready,
    input wire              tlast,
    input wire [USER_W-1:0] tuser,
    // Packet lengths allowed, in beats (TLAST on beat len_a or len_b, and at the latest
    // on the larger one); 0 = the framing is not checked. Sampled on every beat.
    input wire [15:0]       len_a,
    input wire [15:0]       len_b
);
    reg              seen_reset;  // a reset has been applied (nothing is checked before)
    reg              armed;       // ... and the previous cycle was out of reset
    reg              p_valid, p_ready, p_last;
    reg [DATA_W-1:0] p_data;
    reg [USER_W-1:0] p_user;
    reg [15:0]       beat;       // beats of the current packet so far
    reg [USER_W-1:0] pkt_user;   // TUSER of the packet's first beat

    wire        fire    = tvalid && tready;
    wire        stalled = armed && p_valid && !p_ready;   // last cycle offered, not taken
    wire [15:0] next    = beat + 16'd1;
    wire [15:0] len_max = (len_a > len_b) ? len_a : len_b;
    wire        framed  = len_a != 16'd0 && len_b != 16'd0;
    wire        end_ok  = next == len_a || next == len_b;

    initial begin
        seen_reset = 1'b0;
        armed      = 1'b0;
    end

    always @(posedge clk) begin
        seen_reset <= seen_reset || !rst_n;
        armed   <= rst_n && seen_reset;
        p_valid <= tvalid;
        p_ready <= tready;
        p_data  <= tdata;
        p_last  <= tlast;
        p_user  <= tuser;
        if (!rst_n) begin
            beat <= 16'd0;
        end else if (fire) begin
            beat <= tlast ? 16'd0 : (beat == 16'hFFFF ? beat : next);
            if (beat == 16'd0) pkt_user <= tuser;
        end
    end

    // The rules, as conditions (true = rule kept).
    wire ok_held    = !stalled || tvalid;
    wire ok_stable  = !(stalled && tvalid)
                      || (tdata == p_data && tlast == p_last && tuser == p_user);
    wire ok_framing = !(armed && fire && framed) || (tlast ? end_ok : next != len_max);
    wire ok_user    = USER_PACKET == 0 || !(armed && fire && beat != 16'd0)
                      || tuser == pkt_user;

    generate
        if (ASSUME_MASTER != 0) begin : g_rules
            always @(posedge clk) begin
                if (rst_n) begin
                    AXIS_TVALID_HELD:    assume (ok_held);
                    AXIS_PAYLOAD_STABLE: assume (ok_stable);
                    AXIS_TLAST_FRAMING:  assume (ok_framing);
                    AXIS_TUSER_PACKET:   assume (ok_user);
                end
            end
        end else begin : g_rules
            always @(posedge clk) begin
                if (rst_n) begin
                    // TVALID, once raised, stays high until the beat is taken (TREADY).
                    AXIS_TVALID_HELD: assert (ok_held)
                        `SVA_MSG(("AXIS_TVALID_HELD: TVALID withdrawn before TREADY took the beat"));
                    AXIS_TVALID_HELD_C: cover (stalled);
                    // TDATA, TLAST and TUSER do not change while TVALID waits for TREADY.
                    AXIS_PAYLOAD_STABLE: assert (ok_stable)
                        `SVA_MSG(("AXIS_PAYLOAD_STABLE: payload changed while TVALID waited for TREADY (tdata %h -> %h, tlast %b -> %b, tuser %h -> %h)",
                                  p_data, tdata, p_last, tlast, p_user, tuser));
                    AXIS_PAYLOAD_STABLE_C: cover (stalled && tvalid);
                    // A packet ends (TLAST) exactly after one of the lengths the spec fixes.
                    AXIS_TLAST_FRAMING: assert (ok_framing)
                        `SVA_MSG(("AXIS_TLAST_FRAMING: TLAST=%b on beat %0d of a packet, allowed lengths %0d and %0d",
                                  tlast, next, len_a, len_b));
                    AXIS_TLAST_FRAMING_C: cover (armed && fire && framed && tlast);
                    // TUSER is the same on every beat of a packet (where the spec says so).
                    AXIS_TUSER_PACKET: assert (ok_user)
                        `SVA_MSG(("AXIS_TUSER_PACKET: TUSER %h on beat %0d, the packet started with %h",
                                  tuser, next, pkt_user));
                    AXIS_TUSER_PACKET_C: cover (USER_PACKET != 0 && armed && fire && beat != 16'd0);
                end
            end
        end
    endgenerate
endmodule
