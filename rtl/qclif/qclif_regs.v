// qclif register file on the axil_regs request/ack bus (docs/qclif.md "Host
// interfaces"). Every access is acknowledged in its request cycle. Illegal values leave
// the register unchanged and set their ERR bit (response OKAY); unmapped addresses and
// writes to read-only registers answer SLVERR. Byte strobes apply as docs/bus.md says
// (the merge is common/strobe_merge.v, as in rsnn_regs): a write merges its strobed
// bytes into the register's current value, and the merged word is what is checked and
// stored (ERR: only strobed bytes clear; WMEM_CMD: unstrobed bytes are 0); a write with
// no strobe has no effect. WMEM_CMD reads or writes one weight row of neuron
// WMEM_NEURON through the 1600-bit staging row, only while the core is idle (else
// ERR.WMEM_BUSY) and with SEL <= 2, NEURON < N (else ERR.WMEM_ADDR).
module qclif_regs #(
    parameter integer N      = 200,
    parameter integer NP     = 20,
    parameter integer UNIT_W = 5,   // bits of a unit number
    parameter integer ROW_W  = 4    // bits of a bank row
) (
    input  wire              clk,
    input  wire              rst_n,
    input  wire              reg_wr_req,
    input  wire [11:0]       reg_wr_addr,
    input  wire [31:0]       reg_wr_data,
    input  wire [3:0]        reg_wr_strb,
    output wire              reg_wr_ack,
    output reg               reg_wr_err,
    input  wire              reg_rd_req,
    input  wire [11:0]       reg_rd_addr,
    output wire              reg_rd_ack,
    output reg  [31:0]       reg_rd_data,
    output reg               reg_rd_err,
    // configuration
    output reg               enable,
    output reg               spike_out,
    output wire              sample_reset,   // pulse
    output reg  [7:0]        la,
    output reg  [7:0]        ls,
    output reg  [7:0]        g0,
    output reg  [7:0]        theta,
    output reg  [3:0]        si,
    output reg  [3:0]        sa,
    output reg  [3:0]        sd,
    // status and counters
    input  wire              busy,
    input  wire              err_sample_len,
    input  wire [31:0]       bins_done,
    input  wire [31:0]       cycles,
    input  wire [31:0]       synops,
    input  wire [31:0]       spikes,
    input  wire [31:0]       sample_cycles,
    // weight memory access
    output wire              wmem_go,
    output wire              wmem_we,
    output wire [1:0]        wmem_sel,
    output wire [UNIT_W-1:0] wmem_unit,
    output wire [ROW_W-1:0]  wmem_row,
    output wire [1599:0]     wmem_wdata,
    input  wire              wmem_rvalid,
    input  wire [1599:0]     wmem_rdata
);
    localparam [31:0] ID_VALUE = 32'h51434C46;   // "QCLF"
    localparam [11:0] A_ID = 12'h000, A_CTRL = 12'h004, A_STATUS = 12'h008,
                      A_BINS = 12'h00C, A_LA = 12'h010, A_LS = 12'h014, A_G0 = 12'h018,
                      A_THETA = 12'h01C, A_SI = 12'h020, A_SA = 12'h024, A_SD = 12'h028,
                      A_ERR = 12'h02C, A_NNEUR = 12'h030, A_NPU = 12'h034,
                      A_CYC = 12'h040, A_SYN = 12'h044, A_SPK = 12'h048,
                      A_SCYC = 12'h04C, A_WSEL = 12'h080, A_WNEUR = 12'h084,
                      A_WCMD = 12'h088, A_DATA0 = 12'h100, A_DATA49 = 12'h1C4;
    localparam [31:0] N_VALUE  = N;
    localparam [31:0] NP_VALUE = NP;

    reg [9:0]    err;
    reg [31:0]   sel_q;
    reg [31:0]   neuron_q;
    reg [1599:0] staging;

    wire [11:0] wa = reg_wr_addr;
    wire        wr;            // a write with at least one strobe (none: nothing happens)
    wire [31:0] wd;            // the strobed bytes merged into the register's current value

    wire        is_data_wr = wa >= A_DATA0 && wa <= A_DATA49;
    wire [5:0]  wr_word    = wa[7:2];              // 0x100 + 4w: bits 7:2 = w (w < 64)

    // The written register's current value (0 for ERR, RW1C, and the WMEM_CMD command),
    // merged with the strobed bytes of the write.
    wire [31:0] wr_cur, rd_value;
    wire        rd_hit;
    /* verilator lint_off UNUSEDSIGNAL */  // a write decodes its address below
    wire        wr_hit;
    /* verilator lint_on UNUSEDSIGNAL */
    qclif_reg_view u_wr_view (
        .addr(wa), .enable(enable), .spike_out(spike_out), .la(la), .ls(ls), .g0(g0),
        .theta(theta), .si(si), .sa(sa), .sd(sd), .sel(sel_q), .neuron(neuron_q),
        .staging(staging), .value(wr_cur), .hit(wr_hit)
    );
    qclif_reg_view u_rd_view (
        .addr(reg_rd_addr), .enable(enable), .spike_out(spike_out), .la(la), .ls(ls),
        .g0(g0), .theta(theta), .si(si), .sa(sa), .sd(sd), .sel(sel_q), .neuron(neuron_q),
        .staging(staging), .value(rd_value), .hit(rd_hit)
    );
    wire        any_strobe;
    strobe_merge #(.BYTES(4)) u_merge (
        .current(wr_cur), .wdata(reg_wr_data), .strb(reg_wr_strb), .merged(wd),
        .written(any_strobe)
    );
    assign wr = reg_wr_req && any_strobe;

    wire        wmem_ok = sel_q <= 32'd2 && neuron_q < N_VALUE;
    wire        cmd_wr  = wr && wa == A_WCMD;
    wire        cmd_ok  = wd == 32'd1 || wd == 32'd2;
    wire [7:0]  neuron8 = neuron_q[7:0];            // < N <= 200 when wmem_ok
    /* verilator lint_off UNUSEDSIGNAL */   // the high bits are zero for a legal neuron
    wire [7:0]  unit8   = neuron8 % NP_VALUE[7:0];
    wire [7:0]  row8    = neuron8 / NP_VALUE[7:0];
    /* verilator lint_on UNUSEDSIGNAL */

    assign reg_wr_ack   = reg_wr_req;
    assign reg_rd_ack   = reg_rd_req;
    assign sample_reset = wr && wa == A_CTRL && wd[1];
    assign wmem_go      = cmd_wr && cmd_ok && !busy && wmem_ok;
    assign wmem_we      = wd == 32'd1;
    assign wmem_sel     = sel_q[1:0];
    assign wmem_unit    = unit8[UNIT_W-1:0];
    assign wmem_row     = row8[ROW_W-1:0];
    assign wmem_wdata   = staging;

    always @* begin
        reg_wr_err = 1'b0;
        if (reg_wr_req) begin
            case (wa)
                A_CTRL, A_LA, A_LS, A_G0, A_THETA, A_SI, A_SA, A_SD, A_ERR,
                A_WSEL, A_WNEUR, A_WCMD: reg_wr_err = 1'b0;
                default: reg_wr_err = !is_data_wr;
            endcase
        end
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            enable    <= 1'b0;
            spike_out <= 1'b0;
            // reset values = model.qclif.QclifRegs() defaults
            la        <= 8'd1;
            ls        <= 8'd1;
            g0        <= 8'd16;
            theta     <= 8'd64;
            si        <= 4'd2;
            sa        <= 4'd2;
            sd        <= 4'd4;
            err       <= 10'd0;
            sel_q     <= 32'd0;
            neuron_q  <= 32'd0;
        end else begin
            if (err_sample_len) err[7] <= 1'b1;
            if (wmem_rvalid) staging <= wmem_rdata;
            if (wr) begin
                case (wa)
                    A_CTRL: begin
                        enable    <= wd[0];
                        spike_out <= wd[2];
                    end
                    A_LA:    if (wd <= 32'd255) la <= wd[7:0]; else err[0] <= 1'b1;
                    A_LS:    if (wd <= 32'd255) ls <= wd[7:0]; else err[1] <= 1'b1;
                    A_G0:    if (wd <= 32'd255) g0 <= wd[7:0]; else err[2] <= 1'b1;
                    A_THETA: if (wd >= 32'd1 && wd <= 32'd255) theta <= wd[7:0];
                             else err[3] <= 1'b1;
                    A_SI:    if (wd <= 32'd15) si <= wd[3:0]; else err[4] <= 1'b1;
                    A_SA:    if (wd <= 32'd15) sa <= wd[3:0]; else err[5] <= 1'b1;
                    A_SD:    if (wd <= 32'd15) sd <= wd[3:0]; else err[6] <= 1'b1;
                    // RW1C; a flag raised in this very cycle stays set
                    A_ERR:   err <= (err & ~wd[9:0]) | {2'b00, err_sample_len, 7'd0};
                    A_WSEL:  sel_q <= wd;
                    A_WNEUR: neuron_q <= wd;
                    A_WCMD: if (cmd_ok) begin
                        if (busy)          err[8] <= 1'b1;
                        else if (!wmem_ok) err[9] <= 1'b1;
                    end
                    default: if (is_data_wr) staging[32*wr_word +: 32] <= wd;
                endcase
            end
        end
    end

    always @* begin
        reg_rd_err  = 1'b0;
        reg_rd_data = 32'd0;
        if (rd_hit) begin
            reg_rd_data = rd_value;
        end else begin
            case (reg_rd_addr)
                A_ID:     reg_rd_data = ID_VALUE;
                A_STATUS: reg_rd_data = {30'd0, !busy, busy};
                A_BINS:   reg_rd_data = bins_done;
                A_ERR:    reg_rd_data = {22'd0, err};
                A_NNEUR:  reg_rd_data = N_VALUE;
                A_NPU:    reg_rd_data = NP_VALUE;
                A_CYC:    reg_rd_data = cycles;
                A_SYN:    reg_rd_data = synops;
                A_SPK:    reg_rd_data = spikes;
                A_SCYC:   reg_rd_data = sample_cycles;
                default:  reg_rd_err = reg_rd_req;
            endcase
        end
    end
endmodule
