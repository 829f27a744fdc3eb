// Read-back value of the rsnn registers that hold what the host wrote (CTRL, T, S_IN, B0,
// B1, THETA0/1, SCHEDULE, WMEM_SEL, WMEM_ROW, WMEM data words): `hit` when `addr` is one of them.
// rsnn_regs uses one for reads and one to merge the strobed bytes of a write.
module rsnn_reg_view (
    addr, enable, spike_tap, t, s_in, b0, b1, theta0, theta1, schedule, sel, row, staging,
    value, hit
);
    `include "rsnn_dims.vh"   // dimensions, generated from model/rsnn.py
    `include "rsnn_regmap.vh"   // generated from regs/rsnn.hjson

    input  wire [15:0]         addr;
    input  wire                enable;
    input  wire                spike_tap;
    input  wire [1:0]          t;
    input  wire [2:0]          s_in;
    input  wire [2:0]          b0;
    input  wire [2:0]          b1;
    input  wire [10:0]         theta0;
    input  wire [10:0]         theta1;
    input  wire                schedule;
    input  wire [31:0]         sel;
    input  wire [31:0]         row;
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
            CTRL_ADDR: begin   // UTT_RESET (write-only) reads 0
                value[CTRL_ENABLE_LSB]    = enable;
                value[CTRL_SPIKE_TAP_LSB] = spike_tap;
            end
            T_ADDR:        value[T_LSB +: T_WIDTH]           = t;
            S_IN_ADDR:     value[S_IN_LSB +: S_IN_WIDTH]     = s_in;
            B0_ADDR:       value[B0_LSB +: B0_WIDTH]         = b0;
            B1_ADDR:       value[B1_LSB +: B1_WIDTH]         = b1;
            THETA0_ADDR:   value[THETA0_LSB +: THETA0_WIDTH] = theta0;
            THETA1_ADDR:   value[THETA1_LSB +: THETA1_WIDTH] = theta1;
            SCHEDULE_ADDR: value[SCHEDULE_LSB]               = schedule;
            WMEM_SEL_ADDR: value = sel;
            WMEM_ROW_ADDR: value = row;
            default: begin
                hit = is_data;
                if (is_data) value = staging[WMEM_DATA_WIDTH*word +: WMEM_DATA_WIDTH];
            end
        endcase
    end
endmodule
