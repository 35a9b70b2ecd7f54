"""The generated Verilog of every core (``starsweeper hdl`` writes it; a test fails when it is
stale). In the repository this is ``hdl/``; installed, it is the package ``starsweeper.verilog``,
so that the report, the rtl engine and the board build read the same files either way."""
