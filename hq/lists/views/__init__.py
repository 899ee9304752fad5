"""The lists app's pages, one module per purpose: the index and the team's own SPTs (index), grouping a school's
applicants into a new list (grouping), a list's page and changes to a draft (detail), the list's transitions
(transitions), SPTs (spts), issuing one (issue) and assigning stations (assignment)."""
