"""Generators of hostile input shared by tests and benchmarks."""

from __future__ import annotations


def billion_laughs(levels: int = 9) -> str:
    """A 'billion laughs' YAML document expanding to about 9**levels nodes."""
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev = "a"
    for name in "bcdefghijklmnop"[: levels - 1]:
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]\n"
        prev = name
    return text
