"""Two requests at the same moment, made to meet inside the database.

Starting two threads together is not enough to test a race: the window between reading and
writing is a few milliseconds and the threads rarely hit it. So the test holds the contested
row locked from a connection of its own, lets both requests run up to the point where they
wait on a lock, and only then lets go: both are then certainly in flight together. (Code
that forgot its lock would still wait here — on the row it writes — and then overwrite or
over-book, which the tests would see.)"""

import contextlib
import threading

import psycopg2
from django.db import connection

from .processes import wait_for


def _connect():
    db = connection.settings_dict
    return psycopg2.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"])


def waiting_on_locks() -> int:
    """How many sessions of the test database are waiting for a lock right now."""
    conn = _connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "select count(*) from pg_stat_activity "
                "where datname = current_database() and wait_event_type = 'Lock'"
            )
            return cursor.fetchone()[0]
    finally:
        conn.close()


@contextlib.contextmanager
def row_held(table: str, pk: int):
    """Hold ``SELECT … FOR UPDATE`` on one row until the block ends."""
    conn = _connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"select id from {table} where id = %s for update", (pk,))  # noqa: S608
            yield
        conn.rollback()
    finally:
        conn.close()


def at_once(table: str, pk: int, *calls) -> list:
    """Run ``calls`` in threads (each with its own database connection) so that they meet at
    the lock on ``table`` row ``pk``; return their results (or the exceptions they raised)."""
    results: list = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(index: int, call) -> None:
        try:
            start.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 — handed to the test to assert on
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    with row_held(table, pk):
        for thread in threads:
            thread.start()
        wait_for(
            lambda: waiting_on_locks() >= len(calls),
            timeout=20,
            message="the requests never met at the lock",
        )
    for thread in threads:
        thread.join(timeout=30)
    return results
