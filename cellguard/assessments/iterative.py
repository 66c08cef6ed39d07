"""Depth-first recursion over graphs of any depth, without Python's call stack.

A dependency chain of thousands of components is a valid spec, and a recursive walk over it
passes Python's recursion limit (about 1,000 frames). :func:`run` evaluates a recursive
function written as a generator: where the recursive version calls itself, the generator
``yield``s the argument and receives the result; the frames live on an explicit list, so the
depth is bounded by memory only. Evaluation order, memoisation and cycle handling are exactly
those of the recursive version.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TypeVar

A = TypeVar("A")
R = TypeVar("R")

Step = Generator[A, R, R]
"""A recursive step: yields the arguments of its recursive calls, receives their results and
returns its own."""


def run(step: Callable[[A], Step[A, R]], start: A) -> R:
    """``step(start)``'s result, each ``yield arg`` answered with ``step(arg)``'s result."""
    frames: list[Step[A, R]] = [step(start)]
    replies: list[R] = []  # the answer to the top frame's last yield, when there is one
    while True:
        frame = frames[-1]
        try:
            arg = frame.send(replies.pop()) if replies else next(frame)
        except StopIteration as done:
            frames.pop()
            if not frames:
                result: R = done.value
                return result
            replies.append(done.value)
            continue
        frames.append(step(arg))
