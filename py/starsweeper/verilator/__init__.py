"""The whole Minesweeper system compiled by Verilator, driven as a subprocess.

:mod:`.build` compiles the system's Verilog with the C++ harness (``harness.cpp``) into a
cached executable; :mod:`.protocol` starts it and speaks its binary protocol, a frame at a time.
``starsweeper play`` and the fast ``starsweeper screenshot`` run on it.
"""
