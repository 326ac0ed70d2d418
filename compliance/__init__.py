"""compliance: does each republished copy honour the terms its source states?

Findings are information, not legal advice.
"""

__version__ = "0.1.0"

DISCLAIMER = (
    "Findings are information, not legal advice: they report what the pages state and "
    "what the copies show, and say so where they cannot tell."
)
