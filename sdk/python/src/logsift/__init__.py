"""logsift: sample logs at the source exactly as the logsift daemon would (same pattern ids, same decisions for
the same trace, same counts), with stdlib logging or structlog, exported through OpenTelemetry."""

from .source_sampler import Decision, SourceSampler

__all__ = ["Decision", "SourceSampler"]
