// Read-back value of the qclif registers that hold what the host wrote (CTRL, LA..SD,
// WMEM_SEL, WMEM_NEURON, WMEM_DATA0..49): `hit` when `addr` is one of them. qclif_regs
// uses one for reads and one to merge the strobed bytes of a write into the current value.
module qclif_reg_view (
    addr, enable, spike_out, la, ls, g0, theta, si, sa, sd, sel, neuron, staging, value,
    hit
);
    `include "qclif_dims.vh"   // dimensions, generated from model/qclif.py
    `include "qclif_regmap.vh"   // generated from regs/qclif.hjson

    input  wire [11:0]         addr;
    input  wire                enable;
    input  wire                spike_out;
    input  wire [7:0]          la;
    input  wire [7:0]          ls;
    input  wire [7:0]          g0;
    input  wire [7:0]          theta;
    input  wire [3:0]          si;
    input  wire [3:0]          sa;
    input  wire [3:0]          sd;
    input  wire [31:0]         sel;
    input  wire [31:0]         neuron;
    input  wire [ROW_BITS-1:0] staging;
    output reg  [31:0]         value;
    output reg                 hit;

    localparam integer DATA_IDX_W = $clog2(WMEM_DATA_COUNT);

    wire is_data = addr >= WMEM_DATA_ADDR && addr <= WMEM_DATA_LAST_ADDR;
    // word index = (address - WMEM_DATA_ADDR) / 4, from the index bits alone
    wire [DATA_IDX_W-1:0] word = addr[2 +: DATA_IDX_W] - WMEM_DATA_ADDR[2 +: DATA_IDX_W];

    always @* begin
        hit   = 1'b1;
        value = 32'd0;
        case (addr)
            CTRL_ADDR: begin   // SAMPLE_RESET (write-only) reads 0
                value[CTRL_ENABLE_LSB]    = enable;
                value[CTRL_SPIKE_OUT_LSB] = spike_out;
            end
            LA_ADDR:          value[LA_LSB +: LA_WIDTH]       = la;
            LS_ADDR:          value[LS_LSB +: LS_WIDTH]       = ls;
            G0_ADDR:          value[G0_LSB +: G0_WIDTH]       = g0;
            THETA_ADDR:       value[THETA_LSB +: THETA_WIDTH] = theta;
            SI_ADDR:          value[SI_LSB +: SI_WIDTH]       = si;
            SA_ADDR:          value[SA_LSB +: SA_WIDTH]       = sa;
            SD_ADDR:          value[SD_LSB +: SD_WIDTH]       = sd;
            WMEM_SEL_ADDR:    value = sel;
            WMEM_NEURON_ADDR: value = neuron;
            default: begin
                hit = is_data;
                if (is_data) value = staging[WMEM_DATA_WIDTH*word +: WMEM_DATA_WIDTH];
            end
        endcase
    end
endmodule
