"""Seed pattern: math.sin and math.cos through the module, in a loop.

`trig` is written plainly. The two hand-optimized forms are the old
tricks: `trig_default_args` binds the functions as default arguments (one
LOAD_FAST per use), `trig_from_import` imports them by name (one
LOAD_GLOBAL, no attribute lookup). bcc reaches the first with
`-O3 --assume=stable-globals` (hoist-globals).
"""
import math
from math import cos, sin


def trig(n):
    total = 0.0
    for i in range(n):
        x = i * 0.001
        total += math.sin(x) * math.sin(x) + math.cos(x) * math.cos(x)
    return total


def trig_default_args(n, sin=math.sin, cos=math.cos):
    total = 0.0
    for i in range(n):
        x = i * 0.001
        total += sin(x) * sin(x) + cos(x) * cos(x)
    return total


def trig_from_import(n):
    total = 0.0
    for i in range(n):
        x = i * 0.001
        total += sin(x) * sin(x) + cos(x) * cos(x)
    return total
