"""Reading operator and registry files: pure adapters from CSV/XLSX to validated rows.

Nothing here touches a database or the command line. ``tabular`` turns a file
into text rows keyed by canonical column names, ``fields`` holds the strict
parsers for dates, amounts, phone numbers and yes/no flags, and each file kind
(``enrolment``, ...) validates a whole file before anything is recorded.
"""
