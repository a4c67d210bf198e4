"""Organisation: enterprise → site → workshop → team, areas on site plans, safety features."""
