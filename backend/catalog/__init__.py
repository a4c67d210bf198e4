"""The certificate catalogue as data: families, operation items, dated rules, warning policy."""
