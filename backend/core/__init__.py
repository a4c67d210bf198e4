"""Small pieces every domain uses: ids, clock, crypto helpers, errors."""
