"""logsift: sample logs at the source exactly as the logsift daemon would (same pattern ids, same decisions for
the same trace, same counts), with stdlib logging or structlog, exported through OpenTelemetry.

    import logging, logsift
    logsift.configure(service="checkout", endpoint="http://127.0.0.1:13133")
    logging.getLogger(__name__).warning("payment %s declined", order_id)
"""

from .configure import DEFAULT_ENDPOINT, Logsift, configure
from .follower import FilePolicyCache, PolicyFollower
from .handler import LogsiftHandler
from .reporter import StatsReporter
from .source_sampler import Decision, SourceSampler
from .structlog_processor import LogsiftProcessor

__all__ = ["DEFAULT_ENDPOINT", "Decision", "FilePolicyCache", "Logsift", "LogsiftHandler", "LogsiftProcessor", "PolicyFollower", "SourceSampler", "StatsReporter", "configure"]
