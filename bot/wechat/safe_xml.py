"""Safe XML for WeChat: refuse DOCTYPE, entities and external references before wechatpy parses."""
from __future__ import annotations

from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_XML_BYTES = 64 * 1024  # real messages are a few hundred bytes


class UnsafeXML(ValueError):
    """The body is not a small, plain <xml> document."""


def check_xml(body: bytes | str) -> bytes:
    """Return the body if it is a plain <xml>…</xml> document, else raise UnsafeXML."""
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    if not raw.strip() or len(raw) > MAX_XML_BYTES:
        raise UnsafeXML("empty or too large")
    try:
        root = fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError) as exc:
        raise UnsafeXML(type(exc).__name__) from None
    if root.tag != "xml":
        raise UnsafeXML("root element is not <xml>")
    return raw
