"""Rules: metadata, registry, packs, declarative rules, the engine and waivers."""
