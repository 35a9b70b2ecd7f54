"""Formal proofs of the cores (SymbiYosys, through :mod:`formal.runner`): a harness per core,
each module's ``PROOFS`` the tasks that prove it. ``tests/test_formal.py`` runs them all."""

from . import buttons, dark_subtract, flood, placement, star_trail, vga_timing, win_scan

#: Every proof, by module (the core it proves).
PROOFS = {module.__name__.rsplit(".", 1)[1]: module.PROOFS
          for module in (vga_timing, star_trail, dark_subtract, flood, buttons, placement,
                         win_scan)}
