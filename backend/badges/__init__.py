"""Signed QR identity codes (电子身份码): COSE_Sign1 credentials verified offline (issue 7)."""
