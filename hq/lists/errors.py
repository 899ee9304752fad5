"""The lists app's error for a request that cannot be done as asked: the message (already in the page's
language) says what is wrong and what to do; nothing was changed when it is raised."""

from hq.errors import HqError


class ListError(HqError):
    """A transition, SPT or assignment refused (wrong state, frozen list, bad team, the station's reasons…)."""


class StaleError(ListError):
    """The list changed since the person's page was made (another person acted first): nothing was changed."""
