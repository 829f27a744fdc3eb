// stream_packet_capture: every source file it needs, paths relative to this file (verilator -F)
stream_packet_capture.v
