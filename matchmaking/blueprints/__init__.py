"""Blueprints: one folder per feature, thin views."""
