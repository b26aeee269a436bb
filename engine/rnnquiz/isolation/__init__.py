"""The host side of the sandbox: how a submission's code is started, confined and bounded.

``limits`` (what one submission may use, declared once), ``view`` (the
allowlisted file system, as data), ``cgroups`` (a control group per
submission), ``launcher`` (bubblewrap, namespaces, container or unprivileged:
one seam, chosen in one place) and ``pool`` (the zygote and each submission's
connection).  The code on the other side is ``rnnquiz.sandboxed``.  Imports
``errors`` and ``sandboxed`` only.
"""
