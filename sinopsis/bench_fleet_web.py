"""`sinopsis bench fleet`'s dashboard users: a few threads, each logged in like an office user (the login form with
its CSRF token, as sinopsis/bench_web.py does), fetching the fleet dashboard (`/`) and its live JSON (`/fleet.json`,
what the open page polls) in turn over a kept-alive connection, pausing `think_s` (±50 %) after each pair, until
stopped. Every answer other than 200, and every connection error, is an error; times are wall time on this
machine, with the clients on the same cores as everything else.
"""

import random
import threading

import requests

from sinopsis.bench_web import Page, log_in, timed

PAGES = (("dashboard", ""), ("fleet.json", "fleet.json"))


class DashboardUsers:
    """`start()` the users; `stop()` ends them and returns their pages ("log in", "dashboard", "fleet.json")."""

    def __init__(self, url: str, login: str, password: str, clients: int, think_s: float) -> None:
        self.url, self.login, self.password, self.think_s = url, login, password, think_s
        self.pages = {name: Page() for name in ("log in", "dashboard", "fleet.json")}
        self._lock, self._stop, self._go = threading.Lock(), threading.Event(), threading.Event()
        self._logged_in = threading.Semaphore(0)
        self._threads = [threading.Thread(target=self._user, name=f"dashboard-user-{n}", daemon=True)
                         for n in range(clients)]

    def _timed(self, name: str, call) -> requests.Response | None:
        return timed(self.pages, self._lock, name, call)

    def _user(self) -> None:
        rng = random.Random()  # noqa: S311 (pauses, not secrets)
        session = requests.Session()
        ok = log_in(session, self.url, self.login, self.password, self.pages, self._lock)
        self._logged_in.release()
        if not ok:
            return
        self._go.wait()
        while True:  # at least one round, however short the run
            for name, path in PAGES:
                self._timed(name, lambda p=path: session.get(self.url + p, timeout=60, allow_redirects=False))
            if self._stop.wait(self.think_s * rng.uniform(0.5, 1.5)):
                return

    def start(self) -> "DashboardUsers":
        """Log every user in (the password hash of several logins at once is its own load, kept out of the run)."""
        for thread in self._threads:
            thread.start()
        for _ in self._threads:
            self._logged_in.acquire(timeout=120)
        return self

    def go(self) -> None:
        """Start fetching the pages."""
        self._go.set()

    def stop(self) -> dict[str, Page]:
        self._stop.set()
        self._go.set()
        for thread in self._threads:
            thread.join(70)
        return self.pages

