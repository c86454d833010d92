"""The ``tledger`` command line: a thin click adapter over ``workflows``."""
