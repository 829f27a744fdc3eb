// AXI4-Stream register slice (skid buffer): one beat per cycle at full throughput,
// every output driven by a flop, so neither tready nor tvalid/tdata has a combinational
// path through this block. Latency: a beat accepted in cycle c is on m_axis in c+1.
// A second register (skid) catches the beat accepted in the cycle m_axis stalls; while
// it is full s_axis_tready is low.
module axis_skid #(
    parameter integer DATA_W = 32,
    parameter integer USER_W = 1
) (
    input  wire              clk,
    input  wire              rst_n,

    input  wire [DATA_W-1:0] s_axis_tdata,
    input  wire              s_axis_tvalid,
    output wire              s_axis_tready,
    input  wire              s_axis_tlast,
    input  wire [USER_W-1:0] s_axis_tuser,

    output wire [DATA_W-1:0] m_axis_tdata,
    output wire              m_axis_tvalid,
    input  wire              m_axis_tready,
    output wire              m_axis_tlast,
    output wire [USER_W-1:0] m_axis_tuser
);
    // Payload registers carry no reset: only the valid flags decide what is a beat.
    reg [DATA_W-1:0] out_data, skid_data;
    reg [USER_W-1:0] out_user, skid_user;
    reg              out_last, skid_last;
    reg              out_valid;
    reg              skid_valid;

    wire             out_free = !out_valid || m_axis_tready;

    always @(posedge clk) begin
        if (!rst_n) begin
            out_valid  <= 1'b0;
            skid_valid <= 1'b0;
        end else if (skid_valid) begin
            // Input is stalled (tready low); drain the skid into the output.
            if (m_axis_tready) begin
                out_data   <= skid_data;
                out_last   <= skid_last;
                out_user   <= skid_user;
                skid_valid <= 1'b0;
            end
        end else if (out_free) begin
            out_valid <= s_axis_tvalid;
            if (s_axis_tvalid) begin
                out_data <= s_axis_tdata;
                out_last <= s_axis_tlast;
                out_user <= s_axis_tuser;
            end
        end else if (s_axis_tvalid) begin
            // Output stalled but tready was high this cycle: keep the beat aside.
            skid_data  <= s_axis_tdata;
            skid_last  <= s_axis_tlast;
            skid_user  <= s_axis_tuser;
            skid_valid <= 1'b1;
        end
    end

    assign s_axis_tready = !skid_valid;
    assign m_axis_tvalid = out_valid;
    assign m_axis_tdata  = out_data;
    assign m_axis_tlast  = out_last;
    assign m_axis_tuser  = out_user;
endmodule
