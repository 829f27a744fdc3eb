// Top-level consistency of rsnn_accel (rtl/rsnn/rsnn_accel.v): the output sender is
// active exactly while the controller is in SEND, and STATUS.IDLE (busy low) means
// nothing is received, computed or sent. Bound by rsnn_accel_bind.sv, which also binds
// the protocol checkers of the host ports. Each assertion NAME has a cover NAME_C.
`ifndef SPIKEDV_SVA_MACROS
`define SPIKEDV_SVA_MACROS
`ifdef FORMAL
`define SVA_MSG(args)
`else
`define SVA_MSG(args) else $error args
`endif
`endif

module rsnn_accel_checker (
    input wire       clk,
    input wire       rst_n,
    input wire [3:0] ctrl_state,
    input wire       tx_active,
    input wire       busy,
    input wire       compute
);
    localparam [3:0] S_SEND = 4'd10;
    reg seen_reset;
    reg armed;
    initial begin
        seen_reset = 1'b0;
        armed      = 1'b0;
    end
    always @(posedge clk) begin
        seen_reset <= seen_reset || !rst_n;
        armed      <= rst_n && seen_reset;
    end

    always @(posedge clk) begin
        if (armed && rst_n) begin
            // The output sender runs exactly while the controller is in SEND.
            RSNN_TX_IN_SEND: assert (tx_active == (ctrl_state == S_SEND))
                `SVA_MSG(("RSNN_TX_IN_SEND: sender active %b in controller state %0d",
                          tx_active, ctrl_state));
            RSNN_TX_IN_SEND_C: cover (tx_active);
            // Idle (STATUS.IDLE) means no compute and no sending.
            RSNN_IDLE_QUIET: assert (busy || !(compute || tx_active))
                `SVA_MSG(("RSNN_IDLE_QUIET: idle while computing %b or sending %b",
                          compute, tx_active));
            RSNN_IDLE_QUIET_C: cover (!busy);
        end
    end
endmodule
