// rsnn register file on the axil_regs request/ack bus (docs/registers_rsnn.md; the map is
// regs/rsnn.hjson, its localparams rsnn_regmap.vh).
// Every access is acknowledged in its request cycle. Illegal values leave the register
// unchanged and set their ERR bit (response OKAY); unmapped addresses and writes to
// read-only registers answer SLVERR. Byte strobes apply as docs/bus.md says (the merge is
// common/strobe_merge.v): a write merges its strobed bytes into the register's current
// value, and the merged word is what is checked and stored (ERR: only strobed bytes
// clear; WMEM_CMD: unstrobed bytes are 0); a write with no strobe has no effect.
// WMEM_CMD reads or writes one weight-memory row through the 512-bit staging row, only
// while the core is idle (else ERR.WMEM_BUSY) and in range (else ERR.WMEM_ADDR).
module rsnn_regs (
    clk, rst_n, reg_wr_req, reg_wr_addr, reg_wr_data, reg_wr_strb, reg_wr_ack, reg_wr_err,
    reg_rd_req, reg_rd_addr, reg_rd_ack, reg_rd_data, reg_rd_err, enable, spike_tap,
    utt_reset, t, s_in, b0, b1, theta0, theta1, schedule, busy, frame_done, err_pad,
    err_len, counters, wmem_en, wmem_we, wmem_sel, wmem_row, wmem_wdata, wmem_rdata
);
    `include "rsnn_dims.vh"   // dimensions, generated from model/rsnn.py
    // Addresses, fields, reset values and legal ranges: generated from regs/rsnn.hjson.
    `include "rsnn_regmap.vh"

    input  wire                               clk;
    input  wire                               rst_n;
    input  wire                               reg_wr_req;
    input  wire [15:0]                        reg_wr_addr;
    input  wire [31:0]                        reg_wr_data;
    input  wire [3:0]                         reg_wr_strb;
    output wire                               reg_wr_ack;
    output reg                                reg_wr_err;
    input  wire                               reg_rd_req;
    input  wire [15:0]                        reg_rd_addr;
    output wire                               reg_rd_ack;
    output reg  [31:0]                        reg_rd_data;
    output reg                                reg_rd_err;
    // configuration
    output reg                                enable;
    output reg                                spike_tap;
    output wire                               utt_reset;    // pulse
    output reg  [1:0]                         t;
    output reg  [2:0]                         s_in;
    output reg  [2:0]                         b0;
    output reg  [2:0]                         b1;
    output reg  [10:0]                        theta0;
    output reg  [10:0]                        theta1;
    output reg                                schedule;     // SCHEDULE: 0 paper, 1 union
    // status
    input  wire                               busy;
    input  wire                               frame_done;
    input  wire                               err_pad;
    input  wire                               err_len;
    input  wire [N_COUNTERS*COUNTER_BITS-1:0] counters;
    // weight memory access (memory `wmem_sel`, row `wmem_row`)
    output wire                               wmem_en;
    output wire                               wmem_we;
    output wire [MEM_SEL_W-1:0]               wmem_sel;
    output wire [WFC_ADDR_W-1:0]              wmem_row;
    output wire [ROW_BITS-1:0]                wmem_wdata;
    input  wire [ROW_BITS-1:0]                wmem_rdata;

    // Words of the counter block and of the staging row: index within the block.
    localparam integer CNT_IDX_W  = $clog2(COUNTERS_COUNT);
    localparam integer DATA_IDX_W = $clog2(WMEM_DATA_COUNT);

    reg [31:0]         frames;
    reg [ERR_MSB:0]    err;
    reg [31:0]         sel_q;
    reg [31:0]         row_q;
    reg [ROW_BITS-1:0] staging;
    reg                rd_pending;   // a WMEM read is on the memory output next cycle

    wire [15:0] wa = reg_wr_addr;
    wire        wr;            // a write with at least one strobe (none: nothing happens)
    wire [31:0] wd;            // the strobed bytes merged into the register's current value

    // v in lo..hi (a function, so that lo = 0 needs no special case: synthesis folds
    // v >= 0 away, and lint sees no constant comparison)
    function in_range;
        input [31:0] v, lo, hi;
        in_range = v >= lo && v <= hi;
    endfunction

    wire        is_counter_rd = reg_rd_addr >= COUNTERS_ADDR && reg_rd_addr <= COUNTERS_LAST_ADDR;
    wire        is_data_wr    = wa >= WMEM_DATA_ADDR && wa <= WMEM_DATA_LAST_ADDR;
    // word index = (address - block address) / 4, from the index bits alone
    wire [CNT_IDX_W-1:0]  rd_cnt_idx = reg_rd_addr[2 +: CNT_IDX_W] - COUNTERS_ADDR[2 +: CNT_IDX_W];
    wire [DATA_IDX_W-1:0] wr_word    = wa[2 +: DATA_IDX_W] - WMEM_DATA_ADDR[2 +: DATA_IDX_W];

    // The written register's current value (0 for ERR, RW1C, and the WMEM_CMD command),
    // merged with the strobed bytes of the write.
    wire [31:0] wr_cur, rd_value;
    wire        rd_hit;
    /* verilator lint_off UNUSEDSIGNAL */  // a write decodes its address below
    wire        wr_hit;
    /* verilator lint_on UNUSEDSIGNAL */
    rsnn_reg_view u_wr_view (
        .addr(wa), .enable(enable), .spike_tap(spike_tap), .t(t), .s_in(s_in), .b0(b0),
        .b1(b1), .theta0(theta0), .theta1(theta1), .schedule(schedule), .sel(sel_q),
        .row(row_q), .staging(staging), .value(wr_cur), .hit(wr_hit)
    );
    rsnn_reg_view u_rd_view (
        .addr(reg_rd_addr), .enable(enable), .spike_tap(spike_tap), .t(t), .s_in(s_in),
        .b0(b0), .b1(b1), .theta0(theta0), .theta1(theta1), .schedule(schedule),
        .sel(sel_q), .row(row_q), .staging(staging), .value(rd_value), .hit(rd_hit)
    );
    wire        any_strobe;
    strobe_merge #(.BYTES(4)) u_merge (
        .current(wr_cur), .wdata(reg_wr_data), .strb(reg_wr_strb), .merged(wd),
        .written(any_strobe)
    );
    assign wr = reg_wr_req && any_strobe;

    // Rows per memory: win 48, wrec banks 192, wfc banks 960.
    wire [31:0] rows_of_sel = (sel_q == WMEM_SEL_WIN) ? WIN_ROWS
                            : (sel_q <= WMEM_SEL_WREC_BANK1) ? WREC_ROWS
                            : WFC_ROWS;
    wire        wmem_ok     = sel_q <= WMEM_SEL_WFC_BANK1 && row_q < rows_of_sel;
    wire        cmd_wr      = wr && wa == WMEM_CMD_ADDR;
    wire        cmd_go      = cmd_wr && !busy && wmem_ok
                              && (wd == WMEM_CMD_WRITE || wd == WMEM_CMD_READ);

    // ERR flags raised by the core in this cycle
    reg [ERR_MSB:0] err_raise;
    always @* begin
        err_raise = {(ERR_MSB + 1){1'b0}};
        err_raise[ERR_PAD_NONZERO_LSB] = err_pad;
        err_raise[ERR_PKT_LEN_LSB]     = err_len;
    end

    assign reg_wr_ack = reg_wr_req;
    assign reg_rd_ack = reg_rd_req;
    assign utt_reset  = wr && wa == CTRL_ADDR && wd[CTRL_UTT_RESET_LSB];
    assign wmem_en    = cmd_go;
    assign wmem_we    = cmd_go && wd == WMEM_CMD_WRITE;
    assign wmem_sel   = sel_q[MEM_SEL_W-1:0];
    assign wmem_row   = row_q[WFC_ADDR_W-1:0];
    assign wmem_wdata = staging;

    always @* begin
        reg_wr_err = 1'b0;
        if (reg_wr_req) begin
            case (wa)
                CTRL_ADDR, T_ADDR, S_IN_ADDR, B0_ADDR, B1_ADDR, THETA0_ADDR, THETA1_ADDR,
                SCHEDULE_ADDR, ERR_ADDR, WMEM_SEL_ADDR, WMEM_ROW_ADDR, WMEM_CMD_ADDR:
                    reg_wr_err = 1'b0;
                default: reg_wr_err = !is_data_wr;
            endcase
        end
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            enable     <= CTRL_ENABLE_RESVAL;
            spike_tap  <= CTRL_SPIKE_TAP_RESVAL;
            t          <= T_RESVAL;
            s_in       <= S_IN_RESVAL;
            b0         <= B0_RESVAL;
            b1         <= B1_RESVAL;
            theta0     <= THETA0_RESVAL;
            theta1     <= THETA1_RESVAL;
            schedule   <= SCHEDULE_RESVAL;
            err        <= ERR_RESET[ERR_MSB:0];
            frames     <= FRAMES_RESVAL;
            sel_q      <= WMEM_SEL_RESVAL;
            row_q      <= WMEM_ROW_RESVAL;
            rd_pending <= 1'b0;
        end else begin
            if (frame_done) frames <= frames + 32'd1;
            rd_pending <= cmd_go && wd == WMEM_CMD_READ;
            if (rd_pending) staging <= wmem_rdata;
            if (err_pad) err[ERR_PAD_NONZERO_LSB] <= 1'b1;
            if (err_len) err[ERR_PKT_LEN_LSB] <= 1'b1;
            if (wr) begin
                case (wa)
                    CTRL_ADDR: begin
                        enable    <= wd[CTRL_ENABLE_LSB];
                        spike_tap <= wd[CTRL_SPIKE_TAP_LSB];
                    end
                    T_ADDR:      if (in_range(wd, T_LO, T_HI)) t <= wd[T_LSB +: T_WIDTH];
                                 else err[ERR_T_LSB] <= 1'b1;
                    S_IN_ADDR:   if (in_range(wd, S_IN_LO, S_IN_HI)) s_in <= wd[S_IN_LSB +: S_IN_WIDTH];
                                 else err[ERR_S_IN_LSB] <= 1'b1;
                    B0_ADDR:     if (in_range(wd, B0_LO, B0_HI)) b0 <= wd[B0_LSB +: B0_WIDTH];
                                 else err[ERR_B0_LSB] <= 1'b1;
                    B1_ADDR:     if (in_range(wd, B1_LO, B1_HI)) b1 <= wd[B1_LSB +: B1_WIDTH];
                                 else err[ERR_B1_LSB] <= 1'b1;
                    THETA0_ADDR: if (in_range(wd, THETA0_LO, THETA0_HI))
                                     theta0 <= wd[THETA0_LSB +: THETA0_WIDTH];
                                 else err[ERR_THETA0_LSB] <= 1'b1;
                    THETA1_ADDR: if (in_range(wd, THETA1_LO, THETA1_HI))
                                     theta1 <= wd[THETA1_LSB +: THETA1_WIDTH];
                                 else err[ERR_THETA1_LSB] <= 1'b1;
                    SCHEDULE_ADDR: schedule <= wd[SCHEDULE_LSB];
                    // RW1C; a flag raised in this very cycle stays set
                    ERR_ADDR:    err <= (err & ~wd[ERR_MSB:0]) | err_raise;
                    WMEM_SEL_ADDR: sel_q <= wd;
                    WMEM_ROW_ADDR: row_q <= wd;
                    WMEM_CMD_ADDR: begin
                        if (busy)          err[ERR_WMEM_BUSY_LSB] <= 1'b1;
                        else if (!wmem_ok) err[ERR_WMEM_ADDR_LSB] <= 1'b1;
                    end
                    default: if (is_data_wr) staging[WMEM_DATA_WIDTH*wr_word +: WMEM_DATA_WIDTH] <= wd;
                endcase
            end
        end
    end

    always @* begin
        reg_rd_err  = 1'b0;
        reg_rd_data = 32'd0;
        if (is_counter_rd) begin
            reg_rd_data[COUNTERS_LSB +: COUNTERS_WIDTH] =
                counters[COUNTERS_WIDTH*rd_cnt_idx +: COUNTERS_WIDTH];
        end else if (rd_hit) begin
            reg_rd_data = rd_value;
        end else begin
            case (reg_rd_addr)
                ID_ADDR:     reg_rd_data = ID_RESVAL;
                STATUS_ADDR: begin
                    reg_rd_data[STATUS_BUSY_LSB] = busy;
                    reg_rd_data[STATUS_IDLE_LSB] = !busy;
                end
                FRAMES_ADDR: reg_rd_data = frames;
                ERR_ADDR:    reg_rd_data[ERR_MSB:0] = err;
                default:     reg_rd_err = reg_rd_req;
            endcase
        end
    end
endmodule
