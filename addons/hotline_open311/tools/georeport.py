"""GeoReport v2 documents in its two formats: XML (required by the specification) and JSON.

A document is plain data: a dict becomes an element per key, a list repeats the element named in ITEMS
for its parent (``services`` holds ``service`` elements...), True/False are written ``true``/``false``,
None an empty element. JSON is the same data as is (a list at the root for lists).
"""

import json

from lxml import etree

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
ITEMS = {
    "services": "service", "attributes": "attribute", "values": "value", "service_requests": "request",
    "errors": "error", "endpoints": "endpoint", "formats": "format",
}


def _fill(element, value):
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(etree.SubElement(element, key), child)
    elif isinstance(value, list):
        for child in value:
            _fill(etree.SubElement(element, ITEMS[element.tag]), child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def render(root, data, fmt):
    """(body bytes, content type) of `data` under the root element `root` in `fmt` ('xml' or 'json')."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False).encode(), FORMATS["json"]
    element = etree.Element(root)
    _fill(element, data)
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8"), FORMATS["xml"]


def errors(status, descriptions):
    """The specification's error document: a list of {code, description}, the code being the HTTP status."""
    return [{"code": status, "description": description} for description in descriptions]
