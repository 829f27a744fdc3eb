// Single-port synchronous SRAM model: one row read or written per enabled cycle.
// Read data appears the cycle after the address (registered output) and holds
// until the next read. A write does not change rdata (no read-during-write).
// INIT_NAME: file name of this memory's $readmemh image (simulation preload). The
// folder is given at run time by the plusarg +weights=DIR, so one simulator build
// serves every weight set; without the plusarg (or with INIT_NAME "") nothing is
// preloaded. Synthesis skips the preload (SYNTHESIS is defined by yosys).
module sram_sp #(
    parameter integer WIDTH = 512,
    parameter integer DEPTH = 48,
    parameter         INIT_NAME = ""
) (
    input  wire                     clk,
    input  wire                     en,
    input  wire                     we,
    input  wire [$clog2(DEPTH)-1:0] addr,
    input  wire [WIDTH-1:0]         wdata,
    output reg  [WIDTH-1:0]         rdata
);
    reg [WIDTH-1:0] mem [0:DEPTH-1];

`ifndef SYNTHESIS
    // Paths up to 1024 characters.
    reg [8*1024-1:0] init_dir;
    reg [8*1100-1:0] init_path;
    initial begin
        if (INIT_NAME != "" && $value$plusargs("weights=%s", init_dir)) begin
            $sformat(init_path, "%0s/%0s", init_dir, INIT_NAME);
            $readmemh(init_path, mem);
        end
    end
`endif

    always @(posedge clk) begin
        if (en) begin
            if (we) mem[addr] <= wdata;
            else    rdata     <= mem[addr];
        end
    end
endmodule
