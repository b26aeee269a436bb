"""Every output format, from the one results object (``model.results.Results``).

A format renders one submission to text (``rnnquiz grade --format``), writes
one file per submission of a class, or writes files for the whole class
(``rnnquiz autograde``); ``FORMATS`` is the registry both commands read, so
a new format (an LMS's CSV, say) is one new entry.  May import the
content model only.
"""
