"""Wire types of the sync endpoints: defined once in `sync.messages`, shared with the PWA's twin."""

from sync.messages import PullRequest, PullResponse, PushRequest, PushResponse

__all__ = ["PullRequest", "PullResponse", "PushRequest", "PushResponse"]
