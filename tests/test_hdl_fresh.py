"""The committed Verilog in hdl/ is exactly what the gateware emits now."""

from starsweeper.hdl import CORES, emit, stale_files


def test_hdl_is_not_stale():
    stale = stale_files()
    assert not stale, f"hdl/ is stale: {stale}; run `python -m starsweeper.hdl`"


def test_stale_check_sees_a_changed_file(tmp_path):
    name = next(iter(CORES))
    (tmp_path / f"{name}.v").write_text(emit(name) + "// edited\n")
    assert f"{name}.v" in stale_files(tmp_path)


def test_emission_is_byte_reproducible_and_has_no_source_locations():
    name = next(iter(CORES))
    first = emit(name)
    assert first == emit(name)
    assert "(* src" not in first
