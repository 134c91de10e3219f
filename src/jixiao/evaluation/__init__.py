"""Evaluation: synthetic forms with exact gold, noise, metrics, the naive baseline, reports.

``generate`` (forms and their text) and ``noise`` are used by tests and benchmarks of other
parts too; ``metrics``/``harness`` back ``jixiao eval``. Nothing here is imported by the
extraction, checking or reconciliation code.
"""
