// rsnn register file on the axil_regs request/ack bus (docs/rsnn.md "Host interfaces").
// Every access is acknowledged in its request cycle. Illegal values leave the register
// unchanged and set their ERR bit (response OKAY); unmapped addresses and writes to
// read-only registers answer SLVERR. Byte strobes apply as docs/bus.md says (the merge is
// common/strobe_merge.v): a write merges its strobed bytes into the register's current
// value, and the merged word is what is checked and stored (ERR: only strobed bytes
// clear; WMEM_CMD: unstrobed bytes are 0); a write with no strobe has no effect.
// WMEM_CMD reads or writes one weight-memory row through the 512-bit staging row, only
// while the core is idle (else ERR.WMEM_BUSY) and in range (else ERR.WMEM_ADDR).
module rsnn_regs (
    input  wire             clk,
    input  wire             rst_n,
    input  wire             reg_wr_req,
    input  wire [15:0]      reg_wr_addr,
    input  wire [31:0]      reg_wr_data,
    input  wire [3:0]       reg_wr_strb,
    output wire             reg_wr_ack,
    output reg              reg_wr_err,
    input  wire             reg_rd_req,
    input  wire [15:0]      reg_rd_addr,
    output wire             reg_rd_ack,
    output reg  [31:0]      reg_rd_data,
    output reg              reg_rd_err,
    // configuration
    output reg              enable,
    output reg              spike_tap,
    output wire             utt_reset,      // pulse
    output reg  [1:0]       t,
    output reg  [2:0]       s_in,
    output reg  [2:0]       b0,
    output reg  [2:0]       b1,
    output reg  [10:0]      theta0,
    output reg  [10:0]      theta1,
    // status
    input  wire             busy,
    input  wire             frame_done,
    input  wire             err_pad,
    input  wire             err_len,
    input  wire [15*16-1:0] counters,
    // weight memory access (memory `wmem_sel`, row `wmem_row`)
    output wire             wmem_en,
    output wire             wmem_we,
    output wire [2:0]       wmem_sel,
    output wire [9:0]       wmem_row,
    output wire [511:0]     wmem_wdata,
    input  wire [511:0]     wmem_rdata
);
    localparam [31:0] ID_VALUE = 32'h52534E4E;   // "RSNN"

    localparam [15:0] A_ID = 16'h000, A_CTRL = 16'h004, A_STATUS = 16'h008,
                      A_FRAMES = 16'h00C, A_T = 16'h010, A_S_IN = 16'h014,
                      A_B0 = 16'h018, A_B1 = 16'h01C, A_THETA0 = 16'h020,
                      A_THETA1 = 16'h024, A_ERR = 16'h028, A_WSEL = 16'h080,
                      A_WROW = 16'h084, A_WCMD = 16'h088;

    reg [31:0]  frames;
    reg [9:0]   err;
    reg [31:0]  sel_q;
    reg [31:0]  row_q;
    reg [511:0] staging;
    reg         rd_pending;   // a WMEM read is on the memory output next cycle

    wire [15:0] wa = reg_wr_addr;
    wire        wr;            // a write with at least one strobe (none: nothing happens)
    wire [31:0] wd;            // the strobed bytes merged into the register's current value

    wire        is_counter_rd = reg_rd_addr >= 16'h040 && reg_rd_addr <= 16'h078;
    wire        is_data_wr    = wa >= 16'h100 && wa <= 16'h13C;
    wire [3:0]  rd_cnt_idx    = reg_rd_addr[5:2] - 4'd0;   // 0x40 >> 2 = 16 -> 0
    wire [3:0]  wr_word       = wa[5:2];

    // The written register's current value (0 for ERR, RW1C, and the WMEM_CMD command),
    // merged with the strobed bytes of the write.
    wire [31:0] wr_cur, rd_value;
    wire        rd_hit;
    /* verilator lint_off UNUSEDSIGNAL */  // a write decodes its address below
    wire        wr_hit;
    /* verilator lint_on UNUSEDSIGNAL */
    rsnn_reg_view u_wr_view (
        .addr(wa), .enable(enable), .spike_tap(spike_tap), .t(t), .s_in(s_in), .b0(b0),
        .b1(b1), .theta0(theta0), .theta1(theta1), .sel(sel_q), .row(row_q),
        .staging(staging), .value(wr_cur), .hit(wr_hit)
    );
    rsnn_reg_view u_rd_view (
        .addr(reg_rd_addr), .enable(enable), .spike_tap(spike_tap), .t(t), .s_in(s_in),
        .b0(b0), .b1(b1), .theta0(theta0), .theta1(theta1), .sel(sel_q), .row(row_q),
        .staging(staging), .value(rd_value), .hit(rd_hit)
    );
    wire        any_strobe;
    strobe_merge #(.BYTES(4)) u_merge (
        .current(wr_cur), .wdata(reg_wr_data), .strb(reg_wr_strb), .merged(wd),
        .written(any_strobe)
    );
    assign wr = reg_wr_req && any_strobe;

    // Rows per memory: win 48, wrec banks 192, wfc banks 960.
    wire [31:0] rows_of_sel = (sel_q == 32'd0) ? 32'd48
                            : (sel_q <= 32'd2) ? 32'd192
                            : 32'd960;
    wire        wmem_ok     = sel_q <= 32'd4 && row_q < rows_of_sel;
    wire        cmd_wr      = wr && wa == A_WCMD;
    wire        cmd_go      = cmd_wr && !busy && wmem_ok && (wd == 32'd1 || wd == 32'd2);

    assign reg_wr_ack = reg_wr_req;
    assign reg_rd_ack = reg_rd_req;
    assign utt_reset  = wr && wa == A_CTRL && wd[1];
    assign wmem_en    = cmd_go;
    assign wmem_we    = cmd_go && wd == 32'd1;
    assign wmem_sel   = sel_q[2:0];
    assign wmem_row   = row_q[9:0];
    assign wmem_wdata = staging;

    always @* begin
        reg_wr_err = 1'b0;
        if (reg_wr_req) begin
            case (wa)
                A_CTRL, A_T, A_S_IN, A_B0, A_B1, A_THETA0, A_THETA1, A_ERR,
                A_WSEL, A_WROW, A_WCMD: reg_wr_err = 1'b0;
                default: reg_wr_err = !is_data_wr;
            endcase
        end
    end

    always @(posedge clk) begin
        if (!rst_n) begin
            enable     <= 1'b0;
            spike_tap  <= 1'b0;
            t          <= 2'd2;
            s_in       <= 3'd0;
            b0         <= 3'd1;
            b1         <= 3'd1;
            theta0     <= 11'd64;
            theta1     <= 11'd64;
            err        <= 10'd0;
            frames     <= 32'd0;
            sel_q      <= 32'd0;
            row_q      <= 32'd0;
            rd_pending <= 1'b0;
        end else begin
            if (frame_done) frames <= frames + 32'd1;
            rd_pending <= cmd_go && wd == 32'd2;
            if (rd_pending) staging <= wmem_rdata;
            if (err_pad) err[6] <= 1'b1;
            if (err_len) err[7] <= 1'b1;
            if (wr) begin
                case (wa)
                    A_CTRL: begin
                        enable    <= wd[0];
                        spike_tap <= wd[2];
                    end
                    A_T:      if (wd == 32'd1 || wd == 32'd2) t <= wd[1:0];
                              else err[0] <= 1'b1;
                    A_S_IN:   if (wd <= 32'd7) s_in <= wd[2:0];
                              else err[1] <= 1'b1;
                    A_B0:     if (wd >= 32'd1 && wd <= 32'd7) b0 <= wd[2:0];
                              else err[2] <= 1'b1;
                    A_B1:     if (wd >= 32'd1 && wd <= 32'd7) b1 <= wd[2:0];
                              else err[3] <= 1'b1;
                    A_THETA0: if (wd >= 32'd1 && wd <= 32'd2047) theta0 <= wd[10:0];
                              else err[4] <= 1'b1;
                    A_THETA1: if (wd >= 32'd1 && wd <= 32'd2047) theta1 <= wd[10:0];
                              else err[5] <= 1'b1;
                    // RW1C; a flag raised in this very cycle stays set
                    A_ERR:    err <= (err & ~wd[9:0]) | {2'b00, err_len, err_pad, 6'd0};
                    A_WSEL:   sel_q <= wd;
                    A_WROW:   row_q <= wd;
                    A_WCMD: begin
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
        if (is_counter_rd) begin
            reg_rd_data = {16'd0, counters[16*rd_cnt_idx +: 16]};
        end else if (rd_hit) begin
            reg_rd_data = rd_value;
        end else begin
            case (reg_rd_addr)
                A_ID:     reg_rd_data = ID_VALUE;
                A_STATUS: reg_rd_data = {30'd0, !busy, busy};
                A_FRAMES: reg_rd_data = frames;
                A_ERR:    reg_rd_data = {22'd0, err};
                default:  reg_rd_err = reg_rd_req;
            endcase
        end
    end
endmodule
