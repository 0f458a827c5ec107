"""The customer-information regime (DESIGN §8).

Keys, class A tokens, the vault, encrypted stores, grants, the access log, the review
and backup / restore.
"""
