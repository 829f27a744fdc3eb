// qclif register file on the axil_regs request/ack bus (docs/registers_qclif.md; the
// map is regs/qclif.hjson, its localparams qclif_regmap.vh). Every access is acknowledged in its request cycle. Illegal values leave
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
    clk, rst_n, reg_wr_req, reg_wr_addr, reg_wr_data, reg_wr_strb, reg_wr_ack, reg_wr_err,
    reg_rd_req, reg_rd_addr, reg_rd_ack, reg_rd_data, reg_rd_err, enable, spike_out,
    sample_reset, la, ls, g0, theta, si, sa, sd, busy, err_sample_len, bins_done, cycles,
    synops, spikes, sample_cycles, wmem_go, wmem_we, wmem_sel, wmem_unit, wmem_row,
    wmem_wdata, wmem_rvalid, wmem_rdata
);
    `include "qclif_dims.vh"   // dimensions, generated from model/qclif.py
    // Addresses, fields, reset values and legal ranges: generated from regs/qclif.hjson.
    `include "qclif_regmap.vh"

    input  wire                clk;
    input  wire                rst_n;
    input  wire                reg_wr_req;
    input  wire [11:0]         reg_wr_addr;
    input  wire [31:0]         reg_wr_data;
    input  wire [3:0]          reg_wr_strb;
    output wire                reg_wr_ack;
    output reg                 reg_wr_err;
    input  wire                reg_rd_req;
    input  wire [11:0]         reg_rd_addr;
    output wire                reg_rd_ack;
    output reg  [31:0]         reg_rd_data;
    output reg                 reg_rd_err;
    // configuration
    output reg                 enable;
    output reg                 spike_out;
    output wire                sample_reset;    // pulse
    output reg  [7:0]          la;
    output reg  [7:0]          ls;
    output reg  [7:0]          g0;
    output reg  [7:0]          theta;
    output reg  [3:0]          si;
    output reg  [3:0]          sa;
    output reg  [3:0]          sd;
    // status and counters
    input  wire                busy;
    input  wire                err_sample_len;
    input  wire [31:0]         bins_done;
    input  wire [31:0]         cycles;
    input  wire [31:0]         synops;
    input  wire [31:0]         spikes;
    input  wire [31:0]         sample_cycles;
    // weight memory access
    output wire                wmem_go;
    output wire                wmem_we;
    output wire [1:0]          wmem_sel;
    output wire [UNIT_W-1:0]   wmem_unit;
    output wire [ROW_W-1:0]    wmem_row;
    output wire [ROW_BITS-1:0] wmem_wdata;
    input  wire                wmem_rvalid;
    input  wire [ROW_BITS-1:0] wmem_rdata;

    localparam integer DATA_IDX_W = $clog2(WMEM_DATA_COUNT);   // staging word index
    localparam [31:0]  N_VALUE    = N;    // N_NEURONS reads parameter N
    localparam [31:0]  NP_VALUE   = NP;   // NP_UNITS reads parameter NP

    reg [ERR_MSB:0]    err;
    reg [31:0]         sel_q;
    reg [31:0]         neuron_q;
    reg [ROW_BITS-1:0] staging;

    wire [11:0] wa = reg_wr_addr;
    wire        wr;            // a write with at least one strobe (none: nothing happens)
    wire [31:0] wd;            // the strobed bytes merged into the register's current value

    // v in lo..hi (a function, so that lo = 0 needs no special case: synthesis folds
    // v >= 0 away, and lint sees no constant comparison)
    function in_range;
        input [31:0] v, lo, hi;
        in_range = v >= lo && v <= hi;
    endfunction

    wire        is_data_wr = wa >= WMEM_DATA_ADDR && wa <= WMEM_DATA_LAST_ADDR;
    // word index = (address - WMEM_DATA_ADDR) / 4, from the index bits alone
    wire [DATA_IDX_W-1:0] wr_word = wa[2 +: DATA_IDX_W] - WMEM_DATA_ADDR[2 +: DATA_IDX_W];

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

    wire        wmem_ok = sel_q <= WMEM_SEL_WOUT && neuron_q < N_VALUE;
    wire        cmd_wr  = wr && wa == WMEM_CMD_ADDR;
    wire        cmd_ok  = wd == WMEM_CMD_WRITE || wd == WMEM_CMD_READ;
    // the neuron, its unit and its bank row in NEURON_W (8) bits: < N <= N_MAX if wmem_ok
    wire [NEURON_W-1:0] neuron8 = neuron_q[NEURON_W-1:0];
    /* verilator lint_off UNUSEDSIGNAL */   // the high bits are zero for a legal neuron
    wire [NEURON_W-1:0] unit8   = neuron8 % NP_VALUE[NEURON_W-1:0];
    wire [NEURON_W-1:0] row8    = neuron8 / NP_VALUE[NEURON_W-1:0];
    /* verilator lint_on UNUSEDSIGNAL */

    assign reg_wr_ack   = reg_wr_req;
    assign reg_rd_ack   = reg_rd_req;
    assign sample_reset = wr && wa == CTRL_ADDR && wd[CTRL_SAMPLE_RESET_LSB];
    assign wmem_go      = cmd_wr && cmd_ok && !busy && wmem_ok;
    assign wmem_we      = wd == WMEM_CMD_WRITE;
    assign wmem_sel     = sel_q[1:0];
    assign wmem_unit    = unit8[UNIT_W-1:0];
    assign wmem_row     = row8[ROW_W-1:0];
    assign wmem_wdata   = staging;

    always @* begin
        reg_wr_err = 1'b0;
        if (reg_wr_req) begin
            case (wa)
                CTRL_ADDR, LA_ADDR, LS_ADDR, G0_ADDR, THETA_ADDR, SI_ADDR, SA_ADDR, SD_ADDR,
                ERR_ADDR, WMEM_SEL_ADDR, WMEM_NEURON_ADDR, WMEM_CMD_ADDR: reg_wr_err = 1'b0;
                default: reg_wr_err = !is_data_wr;
            endcase
        end
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            enable    <= CTRL_ENABLE_RESVAL;
            spike_out <= CTRL_SPIKE_OUT_RESVAL;
            // reset values = model.qclif.QclifRegs() defaults
            la        <= LA_RESVAL;
            ls        <= LS_RESVAL;
            g0        <= G0_RESVAL;
            theta     <= THETA_RESVAL;
            si        <= SI_RESVAL;
            sa        <= SA_RESVAL;
            sd        <= SD_RESVAL;
            err       <= ERR_RESET[ERR_MSB:0];
            sel_q     <= WMEM_SEL_RESVAL;
            neuron_q  <= WMEM_NEURON_RESVAL;
        end else begin
            if (err_sample_len) err[ERR_SAMPLE_LEN_LSB] <= 1'b1;
            if (wmem_rvalid) staging <= wmem_rdata;
            if (wr) begin
                case (wa)
                    CTRL_ADDR: begin
                        enable    <= wd[CTRL_ENABLE_LSB];
                        spike_out <= wd[CTRL_SPIKE_OUT_LSB];
                    end
                    LA_ADDR:    if (in_range(wd, LA_LO, LA_HI)) la <= wd[LA_LSB +: LA_WIDTH];
                                else err[ERR_LA_LSB] <= 1'b1;
                    LS_ADDR:    if (in_range(wd, LS_LO, LS_HI)) ls <= wd[LS_LSB +: LS_WIDTH];
                                else err[ERR_LS_LSB] <= 1'b1;
                    G0_ADDR:    if (in_range(wd, G0_LO, G0_HI)) g0 <= wd[G0_LSB +: G0_WIDTH];
                                else err[ERR_G0_LSB] <= 1'b1;
                    THETA_ADDR: if (in_range(wd, THETA_LO, THETA_HI))
                                    theta <= wd[THETA_LSB +: THETA_WIDTH];
                                else err[ERR_THETA_LSB] <= 1'b1;
                    SI_ADDR:    if (in_range(wd, SI_LO, SI_HI)) si <= wd[SI_LSB +: SI_WIDTH];
                                else err[ERR_SI_LSB] <= 1'b1;
                    SA_ADDR:    if (in_range(wd, SA_LO, SA_HI)) sa <= wd[SA_LSB +: SA_WIDTH];
                                else err[ERR_SA_LSB] <= 1'b1;
                    SD_ADDR:    if (in_range(wd, SD_LO, SD_HI)) sd <= wd[SD_LSB +: SD_WIDTH];
                                else err[ERR_SD_LSB] <= 1'b1;
                    // RW1C; a flag raised in this very cycle stays set
                    ERR_ADDR: begin
                        err <= err & ~wd[ERR_MSB:0];
                        if (err_sample_len) err[ERR_SAMPLE_LEN_LSB] <= 1'b1;
                    end
                    WMEM_SEL_ADDR:    sel_q <= wd;
                    WMEM_NEURON_ADDR: neuron_q <= wd;
                    WMEM_CMD_ADDR: if (cmd_ok) begin
                        if (busy)          err[ERR_WMEM_BUSY_LSB] <= 1'b1;
                        else if (!wmem_ok) err[ERR_WMEM_ADDR_LSB] <= 1'b1;
                    end
                    default: if (is_data_wr)
                        staging[WMEM_DATA_WIDTH*wr_word +: WMEM_DATA_WIDTH] <= wd;
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
                ID_ADDR:            reg_rd_data = ID_RESVAL;
                STATUS_ADDR: begin
                    reg_rd_data[STATUS_BUSY_LSB] = busy;
                    reg_rd_data[STATUS_IDLE_LSB] = !busy;
                end
                BINS_ADDR:          reg_rd_data = bins_done;
                ERR_ADDR:           reg_rd_data[ERR_MSB:0] = err;
                N_NEURONS_ADDR:     reg_rd_data = N_VALUE;
                NP_UNITS_ADDR:      reg_rd_data = NP_VALUE;
                CYCLES_ADDR:        reg_rd_data = cycles;
                SYNOPS_ADDR:        reg_rd_data = synops;
                SPIKES_ADDR:        reg_rd_data = spikes;
                SAMPLE_CYCLES_ADDR: reg_rd_data = sample_cycles;
                default:            reg_rd_err = reg_rd_req;
            endcase
        end
    end
endmodule
