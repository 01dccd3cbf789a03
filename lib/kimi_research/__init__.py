"""kimi-research: shared code for the notebooks on Kimi's rise and fall.

Import what a notebook needs from here::

    import kimi_research as kr
    ds = kr.load()                    # validated tables (see kimi_research.data.loader)
    P = kr.validate_parameters("01_user_decline", globals(), ds)  # kimi_research.params
"""

from kimi_research.data.loader import Dataset, load
from kimi_research.data.units import normalise
from kimi_research.errors import DataError, KimiResearchError, ParameterError
from kimi_research.orchestration.results import write_results
from kimi_research.params import validate_parameters

__all__ = [
    "DataError",
    "Dataset",
    "KimiResearchError",
    "ParameterError",
    "load",
    "normalise",
    "validate_parameters",
    "write_results",
]
__version__ = "0.1.0"
