"""HTTP plumbing shared by every domain's routes: problems, dependencies, guards."""
