// Proof of rtl/common/strobe_merge.v (docs/bus.md "Register-side handshake"), for all
// inputs: merged = (current & ~mask) | (wdata & mask) with mask = the strobes expanded
// to bytes, and written = (strb != 0).
module strobe_merge_fv #(
    parameter integer BYTES = 4
) (
    input wire [8*BYTES-1:0] current,
    input wire [8*BYTES-1:0] wdata,
    input wire [BYTES-1:0]   strb
);
    wire [8*BYTES-1:0] merged;
    wire               written;
    strobe_merge #(.BYTES(BYTES)) dut (
        .current(current), .wdata(wdata), .strb(strb), .merged(merged), .written(written));

    // Reference: the register write rule of docs/bus.md.
    reg [8*BYTES-1:0] mask;
    integer i;
    always @* begin
        for (i = 0; i < 8 * BYTES; i = i + 1) mask[i] = strb[i / 8];
        FV_MERGED: assert (merged == ((current & ~mask) | (wdata & mask)));
        FV_WRITTEN: assert (written == (strb != {BYTES{1'b0}}));
    end
endmodule
