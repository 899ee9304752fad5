"""The help desk's pages (SOP step 10), one module each: the contacts setting, the tickets page (a student's own
questions, or the staff's queue), and one ticket with its answer."""
