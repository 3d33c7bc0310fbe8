"""Analytics fixtures: the training suite's cast (alice, coach's client; mallory; coach; stranger; root)."""

from tests.training import conftest as training

cast, headers_of = training.cast, training.headers_of
