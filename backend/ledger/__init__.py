"""The Excel ledger (台账): import with a row-level report and de-duplication, and export."""
