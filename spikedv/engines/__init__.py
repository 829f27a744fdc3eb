"""Engines: one ``infer(weights, input, engine)`` per design that runs the same input on
the numpy model, on cocotb with a simulator (Icarus, Verilator) or, for rsnn, on a bare
C++ Verilator driver, and returns the same keys for every engine.

Floor 5 of docs/architecture.md: imports the models, the simulator layer and the
testbench library; the command line, benchmarks, training and reports call it.
"""
