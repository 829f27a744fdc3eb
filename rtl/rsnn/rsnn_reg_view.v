// Read-back value of the rsnn registers that hold what the host wrote (CTRL, T, S_IN, B0,
// B1, THETA0/1, WMEM_SEL, WMEM_ROW, WMEM data words): `hit` when `addr` is one of them.
// rsnn_regs uses one for reads and one to merge the strobed bytes of a write.
module rsnn_reg_view (
    input  wire [15:0]  addr,
    input  wire         enable,
    input  wire         spike_tap,
    input  wire [1:0]   t,
    input  wire [2:0]   s_in,
    input  wire [2:0]   b0,
    input  wire [2:0]   b1,
    input  wire [10:0]  theta0,
    input  wire [10:0]  theta1,
    input  wire [31:0]  sel,
    input  wire [31:0]  row,
    input  wire [511:0] staging,
    output reg  [31:0]  value,
    output reg          hit
);
    wire is_data = addr >= 16'h100 && addr <= 16'h13C;

    always @* begin
        hit = 1'b1;
        case (addr)
            16'h004: value = {29'd0, spike_tap, 1'b0, enable};   // UTT_RESET reads 0
            16'h010: value = {30'd0, t};
            16'h014: value = {29'd0, s_in};
            16'h018: value = {29'd0, b0};
            16'h01C: value = {29'd0, b1};
            16'h020: value = {21'd0, theta0};
            16'h024: value = {21'd0, theta1};
            16'h080: value = sel;
            16'h084: value = row;
            default: begin
                hit   = is_data;
                value = is_data ? staging[32*addr[5:2] +: 32] : 32'd0;
            end
        endcase
    end
endmodule
