"""spikedv: engines (floor 5) and the command line, reports and launchers (floor 6).

See docs/architecture.md for the floors and what each may import.
"""
