"""Seed pattern: print calls left in a hot loop.

`checksum` is written plainly, with its progress prints; in the benchmark
stdout goes to a null writer, so the prints cost their formatting and a
write that goes nowhere. `checksum_by_hand` has the prints deleted. bcc
reaches it with `-O3 --assume=no-print` (strip-print).
"""


def checksum(data):
    total = 0
    for i, byte in enumerate(data):
        print("byte", i, byte)
        total = (total * 31 + byte) & 0xFFFFFFFF
    print("checksum", total)
    return total


def checksum_by_hand(data):
    total = 0
    for i, byte in enumerate(data):
        total = (total * 31 + byte) & 0xFFFFFFFF
    return total
