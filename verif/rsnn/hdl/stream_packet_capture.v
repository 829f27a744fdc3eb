// Testbench HDL: receives AXI4-Stream packets with TREADY held high (the instantiating
// harness ties it) and keeps the last one whole. beats holds beat j at [j*BEAT_W +:
// BEAT_W] (beats past MAX_BEATS are counted but not kept), len the last packet's beat
// count and seen the number of packets so far, which a testbench watches to read each
// packet once.
module stream_packet_capture #(
    parameter integer BEAT_W    = 32,
    parameter integer MAX_BEATS = 49,
    parameter integer LEN_W     = 6     // counts up to 2^LEN_W - 1 beats, then holds
) (
    input  wire                        clk,
    input  wire                        rst_n,
    input  wire [BEAT_W-1:0]           tdata,
    input  wire                        tvalid,
    input  wire                        tlast,
    output reg  [MAX_BEATS*BEAT_W-1:0] beats,
    output reg  [LEN_W-1:0]            len,
    output reg  [31:0]                 seen
);
    localparam [LEN_W-1:0] CAPACITY = MAX_BEATS[LEN_W-1:0];
    localparam [LEN_W-1:0] LEN_MAX  = {LEN_W{1'b1}};

    reg [LEN_W-1:0] beat;   // index of the next beat in the packet being received

    always @(posedge clk) begin
        if (!rst_n) begin
            beat  <= {LEN_W{1'b0}};
            len   <= {LEN_W{1'b0}};
            seen  <= 32'd0;
            beats <= {MAX_BEATS*BEAT_W{1'b0}};
        end else if (tvalid) begin
            if (beat < CAPACITY)
                beats[beat*BEAT_W +: BEAT_W] <= tdata;
            if (tlast) begin
                len  <= beat + 1'b1;
                beat <= {LEN_W{1'b0}};
                seen <= seen + 32'd1;
            end else if (beat != LEN_MAX) begin
                beat <= beat + 1'b1;
            end
        end
    end
endmodule
