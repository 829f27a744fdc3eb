// One physical neuron unit of qclif_network: its banks of the three weight memories
// (row p = neuron p*NP + u), the Va/V state of its neurons, and the neuron datapath.
// The banks are addressed in cycle p (mem_*); in cycle p+1 (step, step_row = p) the
// rows are on the bank outputs, the datapath computes the neuron and its state is
// written back. `fresh` (first bin of a sample) reads the state as Va = V = 0, so the
// state needs no clearing.
module qclif_unit #(
    parameter integer N         = 200,
    parameter integer DEPTH     = 10,   // bank rows, >= 2 (sram_sp needs an address bit)
    parameter         WIN_NAME  = "",   // preload image names (rtl/common/sram_sp.v)
    parameter         WCTX_NAME = "",
    parameter         WOUT_NAME = ""
) (
    clk, win_en, wctx_en, wout_en, mem_we, mem_addr, win_wdata, wctx_wdata, wout_wdata,
    win_row, wctx_row, wout_row, in_bits, ctx_bits, step, step_row, fresh, la, ls, g0,
    theta, si, sa, sd, spike
);
    `include "qclif_dims.vh"   // dimensions, generated from model/qclif.py

    input  wire                     clk;
    // bank port, shared by the controller and the register bus (muxed outside)
    input  wire                     win_en;
    input  wire                     wctx_en;
    input  wire                     wout_en;
    input  wire                     mem_we;
    input  wire [$clog2(DEPTH)-1:0] mem_addr;
    input  wire [WIN_ROW_BITS-1:0]  win_wdata;
    input  wire [LANE_BITS*N-1:0]   wctx_wdata;
    input  wire [WOUT_ROW_BITS-1:0] wout_wdata;
    output wire [WIN_ROW_BITS-1:0]  win_row;
    output wire [LANE_BITS*N-1:0]   wctx_row;
    output wire [WOUT_ROW_BITS-1:0] wout_row;
    // compute
    input  wire [N_INPUTS-1:0]      in_bits;
    input  wire [N-1:0]             ctx_bits;
    input  wire                     step;
    input  wire [$clog2(DEPTH)-1:0] step_row;
    input  wire                     fresh;
    input  wire [7:0]               la;
    input  wire [7:0]               ls;
    input  wire [7:0]               g0;
    input  wire [7:0]               theta;
    input  wire [3:0]               si;
    input  wire [3:0]               sa;
    input  wire [3:0]               sd;
    output wire                     spike;

    sram_sp #(.WIDTH(WIN_ROW_BITS), .DEPTH(DEPTH), .INIT_NAME(WIN_NAME)) u_win (
        .clk(clk), .en(win_en), .we(mem_we), .addr(mem_addr), .wdata(win_wdata),
        .rdata(win_row));
    sram_sp #(.WIDTH(LANE_BITS*N), .DEPTH(DEPTH), .INIT_NAME(WCTX_NAME)) u_wctx (
        .clk(clk), .en(wctx_en), .we(mem_we), .addr(mem_addr), .wdata(wctx_wdata),
        .rdata(wctx_row));
    sram_sp #(.WIDTH(WOUT_ROW_BITS), .DEPTH(DEPTH), .INIT_NAME(WOUT_NAME)) u_wout (
        .clk(clk), .en(wout_en), .we(mem_we), .addr(mem_addr), .wdata(wout_wdata),
        .rdata(wout_row));

    reg [7:0] va_mem [0:DEPTH-1];
    reg [7:0] v_mem  [0:DEPTH-1];

    wire [7:0] va_cur = fresh ? 8'd0 : va_mem[step_row];
    wire [7:0] v_cur  = fresh ? 8'd0 : v_mem[step_row];
    wire [7:0] va_next, v_next;

    qclif_neuron_datapath #(.N_IN(N_INPUTS), .N_CTX(N)) u_datapath (
        .in_bits(in_bits), .in_weights(win_row), .ctx_bits(ctx_bits),
        .ctx_weights(wctx_row), .va(va_cur), .v(v_cur), .la(la), .ls(ls), .g0(g0),
        .theta(theta), .si(si), .sa(sa), .sd(sd), .va_next(va_next), .v_next(v_next),
        .spike(spike));

    always @(posedge clk) begin
        if (step) begin
            va_mem[step_row] <= va_next;
            v_mem[step_row]  <= v_next;
        end
    end
endmodule
