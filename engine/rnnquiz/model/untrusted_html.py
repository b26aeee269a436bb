"""HTML a student wrote in a markdown or raw cell, made harmless before anyone views it.

Feedback and formgrader render markdown with nbconvert's renderer, which
passes raw HTML and ``javascript:`` links through.  A cell is judged by what it
renders to, with ``nh3`` (bindings of the Rust sanitizer ammonia: maintained,
on a browser-grade HTML parser; nbconvert's own sanitizing rests on bleach,
deprecated, and works on HTML, not markdown): if nh3 would change nothing,
the cell is kept as it is; otherwise what nh3 removes is taken out of the
source itself, so the rest still reads as markdown, the result is judged
again, and a note says what was removed.  Should the edit fall short (HTML
only a browser reads as such), the cell's text is shown as a code block.
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import nh3
from nbconvert.filters.markdown_mistune import markdown2html_mistune
from pygments.token import STANDARD_TYPES

from rnnquiz.model.messages import LANGS, text

CELL_CHARS = 10_000      # the largest cell whose HTML is checked
NOTEBOOK_CHARS = 50_000  # what one notebook's checked cells may add up to

_HEADINGS = {f"h{i}" for i in range(1, 7)}
TAGS = {"a", "b", "i", "em", "strong", "code", "pre", "kbd", "samp", "sub", "sup", "br", "hr", "p",
        "span", "div", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "del", "s", "table", "thead",
        "tbody", "tfoot", "tr", "th", "td", "caption"} | _HEADINGS
# Dropped with their content: code, styles, embedded documents, or text a browser parses its own way.
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "applet", "svg", "math", "noscript",
                        "noembed", "noframes", "template", "textarea", "title", "xmp", "plaintext",
                        "select", "frameset"}
_CELL = {"colspan", "rowspan", "style"}  # style: text-align only (markdown's aligned table columns)
ATTACHED = "https://attachment.invalid/"  # a cell's own attachment, as judged (see ``_render``)
_ATTACHMENT_LINK = re.compile(r"\]\(\s*<?attachment:")
# an image of the cell's own attachments, which a student's cell no longer has
DANGLING_IMAGE = re.compile(r"!\[([^\]\n]{0,1000})\]\(\s*<?attachment:[^)\n]{0,300}\)")


def _image_source(tag: str, attribute: str, value: str):
    """An image only from the cell's own attachments (the course's figures): any
    other source is a request the viewer's browser would make (a tracking pixel)."""
    if tag == "img" and attribute == "src" and not value.startswith(ATTACHED):
        return None
    return value


_SANITIZER = nh3.Cleaner(
    tags=TAGS | {"img"},
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes={"a": {"href", "title"}, "ol": {"start"}, "th": _CELL, "td": _CELL,
                "img": {"src", "alt", "title"}} | {h: {"id"} for h in _HEADINGS},
    attribute_filter=_image_source,
    # the classes nbconvert's renderer itself writes (anchors, highlighted code, mermaid, task lists)
    allowed_classes={"a": {"anchor-link"}, "li": {"task-list-item"}, "div": {"highlight", "jp-Mermaid"},
                     "pre": {"mermaid"}, "span": set(STANDARD_TYPES.values()) - {""}},
    filter_style_properties={"text-align"},
    url_schemes={"http", "https", "mailto"},
    link_rel=None,
    strip_comments=False,  # a comment is inert; one a browser reads otherwise is caught by the comparison
)
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
_TASK_BOX = re.compile(r'<input class="task-list-item-checkbox" type="checkbox" disabled(?: checked)?/>')
_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "background", "poster", "data"}

# What can begin a tag (in HTML and markdown alike), and in markdown an image or a link elsewhere than the web.
_MAY_BE_TAG = re.compile(r"<[A-Za-z/!?]")
_MAY_BE_MARKUP = re.compile(r"<[A-Za-z/!?]|!\[|\]:|\]\((?!\s*<?(?:https?://|mailto:|#))", re.I)
# Bounded, and no two ways to split the same text: a failed match costs little.
_TAG = re.compile(r"""<(/?)([A-Za-z][A-Za-z0-9-]{0,64})((?:[\s/]+[^\s"'<>/=]{1,256}"""
                  r"""(?:\s*=\s*(?:"[^"]{0,4096}"|'[^']{0,4096}'|[^\s"'<>/]{1,4096}))?){0,64})[\s/]*>""")
_COMMENT = re.compile(r"<!--.{0,1024}?-->", re.S)
_OTHER = re.compile(r"<(?:![A-Za-z\[]|\?)[^>]*>")  # declarations, CDATA, processing instructions
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}):[^\s<>]*>")
_LINK_TARGET = re.compile(r"\]\(\s*<?([^\s)>]*)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]{1,999}\](:)[ \t]*\n?[ \t]*<?(\S*)", re.M)
_TOKEN = re.compile("|".join(p.pattern for p in (_COMMENT, _OTHER, _AUTOLINK, _TAG)), re.S)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[`~]*[ \t]*$|\Z)", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+).{1,1024}?(?<!`)\1(?!`)", re.S)
_MATH = re.compile(r"\$\$.{1,1024}?\$\$|\$[^$\n]{1,1024}\$", re.S)


class Budget:
    """How many characters of one notebook's cells may still be judged: rendering
    and parsing cost a few microseconds a character, and a submission may hold
    megabytes; past it (or past ``CELL_CHARS`` in one cell) a cell is shown as
    plain text unread."""

    def __init__(self, chars: int = NOTEBOOK_CHARS):
        self.chars = chars


def clean_source(source: str, cell_type: str = "markdown", lang: str | None = None,
                 budget: Budget | None = None) -> tuple[str, list[str]]:
    """``source`` of a markdown or raw cell made harmless, and what was removed:
    tags as ``<script>``, attributes as ``onerror=``, link schemes as
    ``javascript:``; nothing removed, ``source`` comes back unchanged.  The
    cleaned source ends with a note in ``lang`` (both languages when None)."""
    is_markdown = cell_type == "markdown"
    if not (_MAY_BE_MARKUP if is_markdown else _MAY_BE_TAG).search(source):
        return source, []  # nothing that can become a tag, an attribute or an unsafe link
    budget = budget or Budget()
    if len(source) > min(CELL_CHARS, budget.chars):
        note = _note("html_not_checked", [], lang)
        return _with_note(_as_code(source) if is_markdown else html.escape(source), note, is_markdown), ["<>"]
    budget.chars -= len(source)
    removed = _judged(source, is_markdown)
    if removed is None:
        return source, []
    items = removed or ["<>"]
    note = _note("html_removed", items, lang)
    out = _with_note(_repaired(source, is_markdown), note, is_markdown)
    if _judged(out, is_markdown, note) is None:
        return out, items
    # the edit was not enough: markdown shown as code, raw HTML as nh3 writes it
    note = _note("html_shown_as_code" if is_markdown else "html_removed", items, lang)
    out = _with_note(_as_code(source) if is_markdown else _SANITIZER.clean(source), note, is_markdown)
    return (out if _judged(out, is_markdown, note) is None else _written(note, is_markdown)), items


# --- judging what a cell renders to ------------------------------------------------

def _judged(source: str, is_markdown: bool, note: str = "") -> list[str] | None:
    """What nh3 removes from the cell's HTML (None: nothing, and ``note`` is
    visible in it); a cell the renderer fails on is never accepted."""
    try:
        rendered = _render(source, is_markdown)
        removed = _removed(rendered)
    except Exception:
        return ["<>"]
    if removed is None and " ".join(note.split()) not in _Events.of(rendered).text():
        return ["<>"]
    return removed


def _render(source: str, is_markdown: bool) -> str:
    """The HTML that feedback and formgrader show for a cell (raw cells are shown as HTML)."""
    if not is_markdown:
        return source
    # the renderer embeds an attachment's bytes, and fails without them: judged as an image of its own
    return _TASK_BOX.sub("", markdown2html_mistune(_ATTACHMENT_LINK.sub(f"]({ATTACHED}", source)))


class _Events(HTMLParser):
    """Start tags with their attributes, text (blanks collapsed), comments and
    declarations, in order; of end tags, those closing nothing the cell opened
    (they would close the page's own elements), and a table left open (it
    would take in the rest of the page).  nh3 writes neither."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.events: list = []
        self._text: list = []
        self._open: dict = {}

    @classmethod
    def of(cls, markup: str) -> _Events:
        parser = cls()
        parser.feed(markup)
        parser.close()
        parser._flush()
        if parser._open.get("table"):
            parser.events.append(("unclosed", "table"))
        return parser

    def text(self) -> str:
        return " ".join(e[1] for e in self.events if e[0] == "text")

    def _flush(self):
        data = " ".join("".join(self._text).split())
        if data:
            self.events.append(("text", data))
        self._text = []

    def handle_startendtag(self, tag, attrs):
        self._flush()
        attrs = tuple(sorted((k, v or "") for k, v in attrs))
        if (tag, attrs) != ("tbody", ()):  # the parser adds one to any table
            self.events.append(("tag", tag, attrs))

    def handle_starttag(self, tag, attrs):
        self.handle_startendtag(tag, attrs)
        if tag not in _VOID:
            self._open[tag] = self._open.get(tag, 0) + 1

    def handle_endtag(self, tag):
        if self._open.get(tag):
            self._open[tag] -= 1
        elif tag not in _VOID:
            self._flush()
            self.events.append(("stray", tag))

    def handle_data(self, data):
        self._text.append(data)

    def _other(self, data):
        self._flush()
        self.events.append(("other", data))

    handle_comment = handle_decl = handle_pi = unknown_decl = _other


def _removed(rendered: str) -> list[str] | None:
    """What nh3 removes from ``rendered``; None when it changes nothing.

    The two are compared as parsed by Python's own HTML parser: anything the
    browser-grade parser in nh3 reads differently shows up as a difference
    too, so a construct one parser misses cannot slip through."""
    if rendered.count("<!--") > 64:
        return []  # Python's parser rereads the rest of the text for each comment left open
    before = _Events.of(rendered).events
    after = _Events.of(_SANITIZER.clean(rendered)).events
    if before == after:
        return None
    kept: dict = {}
    for event in after:
        if event[0] == "tag":
            kept.setdefault(event[1], set()).update(event[2])
    found = []
    for event in before:
        if event[0] == "stray":
            found.append(f"</{_name(event[1])}>")
        if event[0] != "tag":
            continue
        name, attrs = event[1], event[2]
        if name not in TAGS:
            found.append(f"<{_name(name)}>")
            continue
        for attr, value in attrs:
            if (attr, value) not in kept.get(name, ()):
                scheme = _scheme(value) if attr in _URL_ATTRS else None
                found.append(f"{scheme}:" if scheme else f"{_name(attr)}=")
    return list(dict.fromkeys(found))


def _name(name: str) -> str:
    return re.sub(r"[^a-z0-9_:.-]", "", name.lower())[:30] or "?"


def _scheme(url: str) -> str | None:
    """The scheme a browser would read in ``url`` (blanks and controls ignored), if any."""
    m = re.match(r"([a-z][a-z0-9+.-]*):", re.sub(r"[\x00-\x20\x7f]", "", html.unescape(url)).lower())
    return _name(m.group(1)) if m else None


# --- the edit of the source --------------------------------------------------------

def _repaired(source: str, is_markdown: bool) -> str:
    """``source`` without the tags, attributes and links nh3 does not keep; code
    and math are left as they are (the result is judged again anyway)."""
    kept: dict = {}  # an allowed tag, as nh3 keeps it (the same tags recur)
    for _ in range(20):  # a removal can join a new tag (`<scr<script></script>ipt>`)
        edited = _edit_once(source, is_markdown, kept)
        if edited == source:
            break
        source = edited
    return source


def _edit_once(source: str, is_markdown: bool, kept: dict) -> str:
    literal = _literal(source) if is_markdown else bytearray(len(source))
    out, pos, opened = [], 0, {}
    for m in _TOKEN.finditer(source):
        if m.start() < pos or literal[m.start()]:
            continue
        replacement, end = _edit_token(source, m, kept)
        tag = _TAG.fullmatch(replacement)
        if tag:  # an end tag closing nothing of the cell's would close the page's own
            name = tag.group(2).lower()
            if not tag.group(1):
                opened[name] = opened.get(name, 0) + (name not in _VOID)
            elif opened.get(name):
                opened[name] -= 1
            else:
                replacement = ""
        out.append(source[pos:m.start()] + replacement)
        pos = end
    source = "".join(out) + source[pos:]
    return _edit_links(source, _literal(source)) if is_markdown else source


def _edit_token(source: str, m: re.Match, kept: dict) -> tuple[str, int]:
    """What replaces one HTML token of ``source``, and where the rest resumes."""
    token = m.group(0)
    if token.startswith("<!--"):
        return token, m.end()
    if _OTHER.fullmatch(token):
        return "", m.end()
    link = _AUTOLINK.fullmatch(token)
    if link:
        return (token if link.group(1).lower() in ("http", "https", "mailto") else token[1:-1]), m.end()
    tag = _TAG.fullmatch(token)
    closing, name = tag.group(1), tag.group(2).lower()
    if name in DROPPED_WITH_CONTENT and not closing:
        end = re.compile(rf"</{name}\s*>", re.I).search(source, m.end())
        return "", end.end() if end else len(source)
    if name not in TAGS:
        return "", m.end()
    if closing:
        return token, m.end()
    if token not in kept:
        kept[token] = _allowed_tag(token, name)
    return kept[token], m.end()


def _allowed_tag(token: str, name: str) -> str:
    """An allowed start tag with only what nh3 keeps of its attributes (unchanged if all)."""
    context = {"tr": "<table>", "th": "<table><tr>", "td": "<table><tr>", "thead": "<table>",
               "tbody": "<table>", "tfoot": "<table>", "caption": "<table>"}.get(name, "")
    ours = [e for e in _Events.of(token).events if e[0] == "tag"]
    theirs = [e for e in _Events.of(_SANITIZER.clean(context + token)).events if e[0] == "tag" and e[1] == name]
    if ours and theirs and ours[0][2] == theirs[0][2]:
        return token
    attrs = theirs[0][2] if theirs else ()
    return f"<{name}" + "".join(f' {k}="{html.escape(v)}"' for k, v in attrs) + ">"


def _literal(source: str) -> bytearray:
    """1 at each position markdown shows as literal text: fenced code, code spans, math."""
    flags = bytearray(len(source))
    for pattern in (_FENCE, _CODE_SPAN, _MATH):
        for m in pattern.finditer(source):
            if not flags[m.start()]:
                flags[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    return flags


def _edit_links(source: str, literal: bytearray) -> str:
    """Images become links; links to anything but http(s) and mailto become text."""
    edits = []  # (position, length replaced, replacement)
    for m in re.finditer(r"!\[", source):
        edits.append((m.start(), 1, ""))
    for m in _LINK_TARGET.finditer(source):
        scheme = _scheme(m.group(1))
        if scheme and scheme not in ("http", "https", "mailto"):
            edits.append((m.start() + 1, 0, "\\"))
    for m in _REFERENCE.finditer(source):
        scheme = _scheme(m.group(2))
        if scheme and scheme not in ("http", "https", "mailto"):
            edits.append((m.start(1), 0, "\\"))
    out, pos = [], 0
    for start, length, replacement in sorted(edits):
        if not literal[start]:
            out.append(source[pos:start] + replacement)
            pos = start + length
    return "".join(out) + source[pos:]


# --- what the reader sees ------------------------------------------------------------

def _as_code(source: str) -> str:
    """``source`` as a fenced code block no line of it can close."""
    fence = "`" * max(3, 1 + max((len(r) for r in re.findall(r"`+", source)), default=0))
    return f"{fence}\n{source.rstrip(chr(10))}\n{fence}"


def _note(key: str, items: list[str], lang: str | None) -> str:
    langs = [lang] if lang in LANGS else list(LANGS)
    return " / ".join(text(key, lg, items=", ".join(_item(i, lg) for i in items[:12])) for lg in langs)


def _item(item: str, lang: str) -> str:
    if item == "<>":
        return text("html_malformed", lang)
    if item.endswith("="):
        return text("html_attribute", lang, name=item[:-1])
    if item.endswith(":"):
        return text("html_link", lang, scheme=item)
    return item


def _with_note(source: str, note: str, is_markdown: bool) -> str:
    return source.rstrip("\n") + "\n\n" + _written(note, is_markdown)


def _written(note: str, is_markdown: bool) -> str:
    """The note as a line of the cell (emphasized markdown, or HTML text); no character of it is markup."""
    escaped = html.escape(note, quote=False)
    if not is_markdown:  # a raw cell is shown as HTML, through a filter that keeps div and em
        return f"<div><em>[{escaped}]</em></div>"
    return "*\\[" + re.sub(r"([\\`*_\[\]#|~$])", r"\\\1", escaped) + "\\]*"
