"""Runs Drain3 (default configuration plus the masking from its example drain3.ini) over each Loghub-2k
system's bodies and prints, as JSON, each line's cluster id and template and the time spent mining.

usage: drain3_runner.py < {"System": ["body", ...], ...}
"""
import json
import sys
import time

from drain3 import TemplateMiner
from drain3.masking import MaskingInstruction
from drain3.template_miner_config import TemplateMinerConfig

# The masking Drain3 ships in examples/drain3.ini: ids, IPs, hex sequences, hex numbers, numbers.
MASKS = [
    (r"((?<=[^A-Za-z0-9])|^)(([0-9a-f]{2,}:){3,}([0-9a-f]{2,}))((?=[^A-Za-z0-9])|$)", "ID"),
    (r"((?<=[^A-Za-z0-9])|^)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})((?=[^A-Za-z0-9])|$)", "IP"),
    (r"((?<=[^A-Za-z0-9])|^)([0-9a-f]{6,} ?){3,}((?=[^A-Za-z0-9])|$)", "SEQ"),
    (r"((?<=[^A-Za-z0-9])|^)([0-9A-F]{4} ?){4,}((?=[^A-Za-z0-9])|$)", "SEQ"),
    (r"((?<=[^A-Za-z0-9])|^)(0x[a-f0-9A-F]+)((?=[^A-Za-z0-9])|$)", "HEX"),
    (r"((?<=[^A-Za-z0-9])|^)([\-\+]?\d+)((?=[^A-Za-z0-9])|$)", "NUM"),
    (r"(?<=executed cmd )(\".+?\")", "CMD"),
]


def mine(bodies):
    config = TemplateMinerConfig()
    config.masking_instructions = [MaskingInstruction(pattern, mask) for pattern, mask in MASKS]
    miner = TemplateMiner(config=config)
    started = time.perf_counter()
    clusters = [miner.add_log_message(body)["cluster_id"] for body in bodies]
    seconds = time.perf_counter() - started
    templates = {c.cluster_id: c.get_template() for c in miner.drain.clusters}
    return {"ids": [str(c) for c in clusters], "templates": [templates[c] for c in clusters], "seconds": seconds}


def main():
    systems = json.load(sys.stdin)
    json.dump({name: mine(bodies) for name, bodies in systems.items()}, sys.stdout)


if __name__ == "__main__":
    main()
