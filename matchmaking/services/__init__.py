"""Use cases: load models, apply the rules, write back. Views own the commit."""
