"""The demo plant: a realistic enterprise, its people, site plans and sign-in links (`tezuo demo`)."""
