// Byte-strobe merge of a register write (docs/bus.md "Register-side handshake"), shared
// by the register files so that the rule lives in one place: byte i of `merged` is byte
// i of `wdata` where `strb[i]` is set and byte i of `current` (the register's value)
// where it is clear. `written` is low for a write with no strobe, which must change
// nothing (no value, no ERR bit, no pulse or command).
module strobe_merge #(
    parameter integer BYTES = 4
) (
    input  wire [8*BYTES-1:0] current,
    input  wire [8*BYTES-1:0] wdata,
    input  wire [BYTES-1:0]   strb,
    output wire [8*BYTES-1:0] merged,
    output wire               written
);
    genvar i;
    generate
        for (i = 0; i < BYTES; i = i + 1) begin : g_byte
            assign merged[8*i +: 8] = strb[i] ? wdata[8*i +: 8] : current[8*i +: 8];
        end
    endgenerate
    assign written = |strb;
endmodule
