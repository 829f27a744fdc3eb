// Carry-save adder tree: the sum, modulo 2^W, of N two's-complement operands of W bits.
// Operands are reduced three at a time by 3:2 compressors (full adders, no carry
// propagation) in first-in first-out order, which gives a balanced (Wallace-like) tree
// of depth about log1.5(N); one carry-propagate adder adds the last two rows.
// Node numbering: nodes 0..N-1 are the operands; compressor k takes nodes 3k..3k+2 and
// writes nodes N+2k (sum row) and N+2k+1 (carry row). N-2 compressors leave nodes
// 3N-6 and 3N-5. The caller sizes W so that the exact sum fits.
// The tree is written as one function rather than one net per node: the netlist is the
// same, but an event-driven simulator evaluates it once per input change instead of
// once per glitch on every reconvergent path (seconds per vector in Icarus at N = 200).
module qclif_csa_tree #(
    parameter integer N = 8,
    parameter integer W = 12
) (
    input  wire [N*W-1:0] operands,
    output wire [W-1:0]   sum
);
    localparam integer NODES = (N < 3) ? N : 3 * N - 4;

    function [W-1:0] tree_sum(input [N*W-1:0] ops);
        reg [W-1:0] node [0:NODES-1];
        reg [W-1:0] a, b, c;
        integer     k;
        begin
            for (k = 0; k < N; k = k + 1) node[k] = ops[k*W +: W];
            for (k = 0; k < N - 2; k = k + 1) begin
                a = node[3*k];
                b = node[3*k+1];
                c = node[3*k+2];
                node[N+2*k]   = a ^ b ^ c;
                // The carry out of the top bit is dropped: the result is modulo 2^W.
                node[N+2*k+1] = {(a[W-2:0] & b[W-2:0]) | (a[W-2:0] & c[W-2:0])
                                 | (b[W-2:0] & c[W-2:0]), 1'b0};
            end
            if (N == 1) tree_sum = node[0];
            else        tree_sum = node[NODES-2] + node[NODES-1];
        end
    endfunction

    assign sum = tree_sum(operands);
endmodule
