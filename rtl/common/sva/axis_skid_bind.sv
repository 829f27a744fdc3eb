// Protocol checker of axis_skid (rtl/common/axis_skid.v): its output stream m_axis,
// whose master is the slice itself, any packet length. The input stream's rules bind
// the slice's upstream: where that is a design block, its own bind checks it (the
// rsnn output sender, the qclif controller); where it is the testbench, the design
// top's bind checks it (the block test of axis_skid drives illegal inputs on purpose).
// Packet framing is checked where the spec fixes lengths (the design tops' binds).
bind axis_skid axis_checker #(.DATA_W(DATA_W), .USER_W(USER_W)) u_sva_m_axis (
    .clk(clk), .rst_n(rst_n), .tdata(m_axis_tdata), .tvalid(m_axis_tvalid),
    .tready(m_axis_tready), .tlast(m_axis_tlast), .tuser(m_axis_tuser),
    .len_a(16'd0), .len_b(16'd0));
