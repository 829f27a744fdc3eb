// Read-back value of the qclif registers that hold what the host wrote (CTRL, LA..SD,
// WMEM_SEL, WMEM_NEURON, WMEM_DATA0..49): `hit` when `addr` is one of them. qclif_regs
// uses one for reads and one to merge the strobed bytes of a write into the current value.
module qclif_reg_view (
    input  wire [11:0]   addr,
    input  wire          enable,
    input  wire          spike_out,
    input  wire [7:0]    la,
    input  wire [7:0]    ls,
    input  wire [7:0]    g0,
    input  wire [7:0]    theta,
    input  wire [3:0]    si,
    input  wire [3:0]    sa,
    input  wire [3:0]    sd,
    input  wire [31:0]   sel,
    input  wire [31:0]   neuron,
    input  wire [1599:0] staging,
    output reg  [31:0]   value,
    output reg           hit
);
    wire is_data = addr >= 12'h100 && addr <= 12'h1C4;   // WMEM_DATA0..49

    always @* begin
        hit = 1'b1;
        case (addr)
            12'h004: value = {29'd0, spike_out, 1'b0, enable};   // SAMPLE_RESET reads 0
            12'h010: value = {24'd0, la};
            12'h014: value = {24'd0, ls};
            12'h018: value = {24'd0, g0};
            12'h01C: value = {24'd0, theta};
            12'h020: value = {28'd0, si};
            12'h024: value = {28'd0, sa};
            12'h028: value = {28'd0, sd};
            12'h080: value = sel;
            12'h084: value = neuron;
            default: begin
                hit   = is_data;
                // 0x100 + 4w: bits 7:2 = w (w <= 49 when is_data)
                value = is_data ? staging[32*addr[7:2] +: 32] : 32'd0;
            end
        endcase
    end
endmodule
