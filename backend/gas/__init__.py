"""Gas detectors bound to areas, readings ingested from edge nodes, and the limits they are judged by."""
