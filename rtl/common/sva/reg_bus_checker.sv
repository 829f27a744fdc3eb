// Register-side handshake of axil_regs (docs/bus.md "Register-side handshake"):
// a request (reg_wr_req / reg_rd_req) stays up with its address, data and strobes
// stable until the design acks it, and is down in the cycle after the ack (one ack
// per request). The design side's ack and err may come in any cycle (ignored without
// a request), so they are not constrained. Each assertion NAME has a cover NAME_C.
`ifndef SPIKEDV_SVA_MACROS
`define SPIKEDV_SVA_MACROS
`ifdef FORMAL
`define SVA_MSG(args)
`else
`define SVA_MSG(args) else $error args
`endif
`endif

module reg_bus_checker #(
    parameter integer ADDR_W = 16
) (
    input wire              clk,
    input wire              rst_n,
    input wire              wr_req,
    input wire [ADDR_W-1:0] wr_addr,
    input wire [31:0]       wr_data,
    input wire [3:0]        wr_strb,
    input wire              wr_ack,
    input wire              rd_req,
    input wire [ADDR_W-1:0] rd_addr,
    input wire              rd_ack
);
    reg              seen_reset;
    reg              armed;
    initial begin
        seen_reset = 1'b0;
        armed      = 1'b0;
    end
    reg              p_wr_req, p_wr_ack, p_rd_req, p_rd_ack;
    reg [ADDR_W-1:0] p_wr_addr, p_rd_addr;
    reg [31:0]       p_wr_data;
    reg [3:0]        p_wr_strb;

    always @(posedge clk) begin
        seen_reset <= seen_reset || !rst_n;
        armed      <= rst_n && seen_reset;
        p_wr_req   <= wr_req;
        p_wr_ack   <= wr_ack;
        p_wr_addr  <= wr_addr;
        p_wr_data  <= wr_data;
        p_wr_strb  <= wr_strb;
        p_rd_req   <= rd_req;
        p_rd_ack   <= rd_ack;
        p_rd_addr  <= rd_addr;
    end

    wire wr_wait = armed && p_wr_req && !p_wr_ack;
    wire wr_done = armed && p_wr_req && p_wr_ack;
    wire rd_wait = armed && p_rd_req && !p_rd_ack;
    wire rd_done = armed && p_rd_req && p_rd_ack;

    always @(posedge clk) begin
        if (rst_n) begin
            // An unacknowledged write request stays up with address, data, strobes.
            REGBUS_WR_HELD: assert (!wr_wait || (wr_req && wr_addr == p_wr_addr
                                                  && wr_data == p_wr_data
                                                  && wr_strb == p_wr_strb))
                `SVA_MSG(("REGBUS_WR_HELD: write request dropped or changed before its ack (req %b, addr %h -> %h)",
                          wr_req, p_wr_addr, wr_addr));
            REGBUS_WR_HELD_C: cover (wr_wait);
            // The cycle after its ack a write request is down: one ack per request.
            REGBUS_WR_ONE_ACK: assert (!wr_done || !wr_req)
                `SVA_MSG(("REGBUS_WR_ONE_ACK: write request still up the cycle after its ack"));
            REGBUS_WR_ONE_ACK_C: cover (wr_done);
            // An unacknowledged read request stays up with its address.
            REGBUS_RD_HELD: assert (!rd_wait || (rd_req && rd_addr == p_rd_addr))
                `SVA_MSG(("REGBUS_RD_HELD: read request dropped or changed before its ack (req %b, addr %h -> %h)",
                          rd_req, p_rd_addr, rd_addr));
            REGBUS_RD_HELD_C: cover (rd_wait);
            // The cycle after its ack a read request is down.
            REGBUS_RD_ONE_ACK: assert (!rd_done || !rd_req)
                `SVA_MSG(("REGBUS_RD_ONE_ACK: read request still up the cycle after its ack"));
            REGBUS_RD_ONE_ACK_C: cover (rd_done);
        end
    end
endmodule
