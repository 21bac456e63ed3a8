"""The production settings plus the floor view's URL, for benchmarks only."""

from chiefquality.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
