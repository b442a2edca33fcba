"""As the daemon's ledger test: patterns silent for IDLE_WINDOWS windows are forgotten once their rows are out,
so what the ledger holds follows the patterns in use, not every one ever seen."""

from logsift.ledger import IDLE_WINDOWS, Ledger

W = 60_000


def test_forgets_idle_patterns_after_their_rows_are_out():
    ledger = Ledger(W)
    counted = 0
    for w in range(100):
        for i in range(10):
            ledger.note(ledger.entry("api", f"once-{w}-{i}", w * W + i), 10, False, False, 2)
        ledger.note(ledger.entry("api", "steady", w * W + 20), 10, True, False, 2)
        ledger.close_ended((w + 1) * W)
        counted += sum(row.seen for row in ledger.drain())
        ledger.forget_idle((w + 1) * W)
        assert len(ledger.rates("api", (w + 1) * W, 1000)) <= 10 * IDLE_WINDOWS + 1
    assert counted == 1100
    held = ledger.rates("api", 100 * W, 1000)
    assert "steady" in held
    assert "once-0-0" not in held
    assert f"once-{100 - IDLE_WINDOWS}-0" in held


def test_holds_at_most_its_cap_closing_the_stalest_first():
    ledger = Ledger(W, max_entries=100)
    for i in range(1000):
        ledger.note(ledger.entry("api", f"flood-{i}", i), 10, False, False, 2)
    for i in range(1000, 1500):
        ledger.note(ledger.entry("api", f"flood-{i}", W + i), 10, False, False, 2)
        if i % 20 == 0:
            ledger.note(ledger.entry("api", "steady", W + i), 10, True, False, 2)
    held = ledger.rates("api", W + 1500, 1000)
    assert len(held) <= 100
    assert "steady" in held
    rows = ledger.drain(True)
    assert sum(r.seen for r in rows) == 1525
    assert sum(r.seen for r in rows if r.pattern == "steady") == 25
