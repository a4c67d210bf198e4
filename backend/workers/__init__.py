"""Qualifications: certificates of the three families, who may do what, warnings and freezes."""
