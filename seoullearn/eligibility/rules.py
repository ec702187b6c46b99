"""Eligibility rules, a pure module (no Django): categories, income, age, residency."""
