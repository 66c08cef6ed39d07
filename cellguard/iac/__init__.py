"""Synthesis: a target architecture to a Pulumi project on disk, the mock runner, verification."""
