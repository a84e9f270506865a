"""vaxclean_xl: clean COVID-19 vaccination lists by the Ministry of Health's 2022 procedure.

The package keeps a pure core (``vaxclean_xl.core``: records, rules, findings; no file or
Excel access) apart from the adapters (``vaxclean_xl.io``: reading and writing files).
"""

__version__ = "0.1.0"
