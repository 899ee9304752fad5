"""fleet: the enrolled stations, what they last said about themselves (status, health, reported) and the jobs
HQ sent them; the fleet dashboard reads these rows."""
