// Single-port synchronous SRAM model: one row read or written per enabled cycle.
// Read data appears the cycle after the address (registered output) and holds
// until the next read. A write does not change rdata (no read-during-write).
// INIT_FILE: optional $readmemh image for simulation preload of weights.
module sram_sp #(
    parameter integer WIDTH = 512,
    parameter integer DEPTH = 48,
    parameter         INIT_FILE = ""
) (
    input  wire                     clk,
    input  wire                     en,
    input  wire                     we,
    input  wire [$clog2(DEPTH)-1:0] addr,
    input  wire [WIDTH-1:0]         wdata,
    output reg  [WIDTH-1:0]         rdata
);
    reg [WIDTH-1:0] mem [0:DEPTH-1];

    initial begin
        if (INIT_FILE != "") $readmemh(INIT_FILE, mem);
    end

    always @(posedge clk) begin
        if (en) begin
            if (we) mem[addr] <= wdata;
            else    rdata     <= mem[addr];
        end
    end
endmodule
