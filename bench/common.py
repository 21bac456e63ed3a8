"""Helpers shared by the benchmark scripts."""

import socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recreate_database(name: str) -> None:
    """Drop and create the PostgreSQL database ``name`` (user postgres on 127.0.0.1)."""
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def vacuum_analyze(name: str) -> None:
    """VACUUM ANALYZE the database ``name`` after a bulk load, as autovacuum would within a
    minute or two: planner statistics, and the visibility map that index-only scans need.
    Measuring straight after seeding would otherwise time a state production never stays in."""
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=name)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    conn.close()
