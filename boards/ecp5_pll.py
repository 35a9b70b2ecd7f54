"""The ECP5's PLL (EHXPLLL) with its dividers worked out for the frequencies asked, as Project
Trellis's ``ecppll`` works them out (tests/test_ulx3s.py checks the two agree)."""

from dataclasses import dataclass

from amaranth import Elaboratable
from amaranth.hdl import ClockDomain, Instance, Module, Signal
from amaranth.lib import io
from amaranth.lib.cdc import ResetSynchronizer

__all__ = ["PllConfig", "pll_config", "Ecp5Pll", "add_pll_domains"]

#: The VCO's range and the phase detector's lowest input (ECP5 family data sheet).
VCO_MIN_HZ, VCO_MAX_HZ = 400e6, 800e6
PFD_MIN_HZ = 3.125e6
VCO_MID_HZ = 600e6


@dataclass(frozen=True)
class PllConfig:
    """Dividers of an EHXPLLL whose CLKOP feeds back: CLKOP = CLKI / ``input_div`` *
    ``feedback_div``; the VCO runs at CLKOP * ``primary_div``; CLKOS = VCO / ``secondary_div``."""

    input_hz: int
    input_div: int
    feedback_div: int
    primary_div: int
    secondary_div: int = None

    @property
    def vco_hz(self):
        return self.input_hz / self.input_div * self.feedback_div * self.primary_div

    @property
    def primary_hz(self):
        return self.input_hz / self.input_div * self.feedback_div

    @property
    def secondary_hz(self):
        return None if self.secondary_div is None else self.vco_hz / self.secondary_div


def pll_config(input_hz, primary_hz, secondary_hz=None):
    """The dividers that give exactly ``primary_hz`` on CLKOP (and ``secondary_hz`` on CLKOS)
    from ``input_hz``, with the VCO nearest the middle of its range (600 MHz, as ecppll
    chooses); ValueError if none do."""
    best = None
    for input_div in range(1, 129):
        if input_hz / input_div < PFD_MIN_HZ:
            break
        for feedback_div in range(1, 81):
            if input_hz * feedback_div != primary_hz * input_div:
                continue
            for primary_div in range(1, 129):
                config = PllConfig(input_hz, input_div, feedback_div, primary_div)
                if not VCO_MIN_HZ <= config.vco_hz <= VCO_MAX_HZ:
                    continue
                if secondary_hz is not None:
                    div, rest = divmod(config.vco_hz, secondary_hz)
                    if rest or not 1 <= div <= 128:
                        continue
                    config = PllConfig(input_hz, input_div, feedback_div, primary_div, int(div))
                if best is None or abs(config.vco_hz - VCO_MID_HZ) < abs(best.vco_hz - VCO_MID_HZ):
                    best = config
    if best is None:
        wanted = f"{primary_hz / 1e6:g} MHz" + (f" and {secondary_hz / 1e6:g} MHz" if secondary_hz else "")
        raise ValueError(f"The ECP5 PLL cannot make {wanted} from {input_hz / 1e6:g} MHz")
    return best


class Ecp5Pll(Elaboratable):
    """An EHXPLLL instance of ``config`` (board tops only: a vendor primitive).

    Attributes
    ----------
    clk_in : Signal, in
        The reference clock (from its input buffer).
    clk_primary, clk_secondary : Signal, out
        CLKOP (also the feedback) and CLKOS, in phase with each other.
    locked : Signal, out
        The PLL's LOCK output.
    """

    def __init__(self, config):
        self.config = config
        self.clk_in = Signal()
        self.clk_primary = Signal()
        self.clk_secondary = Signal()
        self.locked = Signal()

    def elaborate(self, platform):
        m = Module()
        c = self.config
        # CPHASE for zero phase, as ecppll writes it: (divider - 1) // 2 on CLKOP, and CLKOS
        # aligned to CLKOP by the same count.
        phase = (c.primary_div - 1) // 2
        secondary = {}
        if c.secondary_div is not None:
            secondary = dict(p_CLKOS_ENABLE="ENABLED", p_CLKOS_DIV=c.secondary_div, p_CLKOS_CPHASE=phase,
                             p_CLKOS_FPHASE=0, p_OUTDIVIDER_MUXB="DIVB")
        m.submodules.pll = Instance(
            "EHXPLLL",
            a_FREQUENCY_PIN_CLKI=f"{c.input_hz / 1e6:g}",
            a_FREQUENCY_PIN_CLKOP=f"{c.primary_hz / 1e6:g}",
            **({"a_FREQUENCY_PIN_CLKOS": f"{c.secondary_hz / 1e6:g}"} if secondary else {}),
            a_ICP_CURRENT="12", a_LPF_RESISTOR="8", a_MFG_ENABLE_FILTEROPAMP="1", a_MFG_GMCREF_SEL="2",
            p_PLLRST_ENA="DISABLED", p_INTFB_WAKE="DISABLED", p_STDBY_ENABLE="DISABLED",
            p_DPHASE_SOURCE="DISABLED", p_OUTDIVIDER_MUXA="DIVA",
            p_CLKI_DIV=c.input_div, p_CLKFB_DIV=c.feedback_div, p_FEEDBK_PATH="CLKOP",
            p_CLKOP_ENABLE="ENABLED", p_CLKOP_DIV=c.primary_div, p_CLKOP_CPHASE=phase, p_CLKOP_FPHASE=0,
            **secondary,
            i_CLKI=self.clk_in, i_CLKFB=self.clk_primary, o_CLKOP=self.clk_primary, o_LOCK=self.locked,
            i_RST=0, i_STDBY=0, i_PHASESEL0=0, i_PHASESEL1=0, i_PHASEDIR=1, i_PHASESTEP=1,
            i_PHASELOADREG=1, i_PLLWAKESYNC=0, i_ENCLKOP=0, i_ENCLKOS=0, i_ENCLKOS2=0, i_ENCLKOS3=0,
            o_CLKOS=self.clk_secondary, o_CLKOS2=Signal(), o_CLKOS3=Signal(), o_INTLOCK=Signal(),
            o_REFCLK=Signal(), o_CLKINTFB=Signal(),
        )
        return m


def add_pll_domains(m, platform, config, primary, secondary=None, clock_pin=("clk25", 0)):
    """Add to the board top's module ``m`` the PLL of ``config`` on the board's oscillator pin
    (``clock_pin``, the platform's resource name and number), and its outputs as clock domains
    of ``m`` (a top's domains are its own: Amaranth 0.6 takes none from a submodule):
    ``primary`` on CLKOP and, if given, ``secondary`` on CLKOS. Each is held in reset until the
    PLL locks (a reset synchroniser each) and has its frequency constraint."""
    if secondary is not None and config.secondary_div is None:
        raise ValueError(f"The PLL configuration has no secondary output for domain {secondary!r}")
    m.submodules.clock_buffer = clock_in = io.Buffer("i", platform.request(*clock_pin, dir="-"))
    m.submodules.pll = pll = Ecp5Pll(config)
    m.d.comb += pll.clk_in.eq(clock_in.i)
    outputs = [(primary, pll.clk_primary, config.primary_hz), (secondary, pll.clk_secondary, config.secondary_hz)]
    for name, clock, frequency in outputs:
        if name is None:
            continue
        m.domains += (domain := ClockDomain(name))
        m.d.comb += domain.clk.eq(clock)
        m.submodules[f"{name}_reset"] = ResetSynchronizer(~pll.locked, domain=name)
        platform.add_clock_constraint(clock, frequency)
