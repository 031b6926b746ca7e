"""PURE: the deal tally's arithmetic (conversion, conflict rules, grouping, folding, rounding).

Imports only the standard library; inputs and outputs are dataclasses. The services load
outcomes and rates from the database, call these functions and store what they return.
"""
