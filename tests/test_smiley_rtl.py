"""The smiley on its own in Icarus (sim/test_smiley.py): every pixel of the four faces against
the model, the pixel enable high and low at random. The display's frames show the normal, dead
and sunglasses faces only in a few places; this bench is what the mutation campaign runs on the
smiley's Verilog."""

from runner import build_folder, run_cocotb


def smiley_verilog():
    """The smiley alone, as the bench compiles it (and the campaign mutates it)."""
    from starsweeper.gateware.smiley import Smiley
    from starsweeper.hdl import convert
    return convert(Smiley(), "smiley")


def test_smiley_every_pixel_of_every_face(seed):
    sources, build_name = build_folder("smiley", {}, {"smiley.v": smiley_verilog()})
    run_cocotb("smiley", "test_smiley", build_name=build_name, sources=sources,
               testcase="every_pixel_of_every_face", env={"STARSWEEPER_SEED": str(seed)})
