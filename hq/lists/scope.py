"""Which schools' lists and SPTs a person may see (issue 21, point 4: least privilege).

The office's own staff hold `office.view_all_schools` and see every school. A recording team member (role
`team`) holds only `lists.view_applicationlist`: they see the lists, applicants (with NIKs) and SPTs of the
SPTs they are named on (`SptMember.user`), and nothing of other teams' — those pages answer 404 as if absent, so
a guessed number tells nothing. A person holding team and another staff role sees what that role sees.
"""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from hq.lists.models import ApplicationList, Spt
from hq.office.roles import ALL_SCHOOLS


def sees_all(user: Any) -> bool:
    """True when `user` sees every school's lists and SPTs (not only their own SPTs')."""
    return bool(user.has_perm(ALL_SCHOOLS))


def visible_lists(user: Any) -> QuerySet[ApplicationList]:
    """The lists `user` may see: all, or those with an SPT naming them."""
    lists = ApplicationList.objects.all()
    return lists if sees_all(user) else lists.filter(spt__members__user=user).distinct()


def visible_spts(user: Any) -> QuerySet[Spt]:
    """The SPTs `user` may see: all, or those naming them."""
    spts = Spt.objects.all()
    return spts if sees_all(user) else spts.filter(members__user=user).distinct()


def list_for(user: Any, pk: int) -> ApplicationList:
    """The list `pk` if `user` may see it (404 otherwise, as for a list that does not exist)."""
    return get_object_or_404(visible_lists(user).select_related("school", "created_by"), pk=pk)


def spt_for(user: Any, pk: int) -> Spt:
    """The SPT `pk` if `user` may see it (404 otherwise, as for an SPT that does not exist)."""
    return get_object_or_404(visible_spts(user).select_related("application_list__school", "issued_by"), pk=pk)
