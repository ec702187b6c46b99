"""Eligibility rules as a pure module (no Django): categories, income, age band, residency, evidence."""
