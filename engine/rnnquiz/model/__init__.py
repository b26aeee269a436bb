"""The content model: assignments found in a course (``content``), submitted
notebooks as read and cleaned (``notebook``, ``clean``, ``untrusted_html``,
``flags``), the results object (``results``), the engine's sentences
(``messages``) and sample submissions (``samples``).  Imports ``errors`` and the
wire protocol's data types (``sandboxed.wire``) only."""
