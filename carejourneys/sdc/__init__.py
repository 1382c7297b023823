"""What may go out: the disclosure policy, site-wide disclosure control, anonymisation of free text and
quotes, and the output checker that reads every page before it is published."""
