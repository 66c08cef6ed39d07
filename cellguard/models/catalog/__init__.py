"""The catalog: hardware, measured throughput, managed-service limits, latency and availability
priors, every number with its source (see :mod:`cellguard.models.catalog.sources`)."""
