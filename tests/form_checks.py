"""What a user sees after a bad submission: the form again, what they typed still in its field,
and the error next to that field (not a banner elsewhere on the page)."""

import html
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict
    parent: "Node | None" = None
    children: list = field(default_factory=list)  # Node or str

    def text(self):
        parts = [child if isinstance(child, str) else child.text() for child in self.children]
        return " ".join(" ".join(parts).split())

    def iter(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, predicate):
        return [node for node in self.iter() if predicate(node)]

    def classes(self):
        return self.attrs.get("class", "").split()


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, {name: value or "" for name, value in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(response) -> Node:
    tree = _Tree()
    tree.feed(response.content.decode())
    return tree.root


def posted_form(response, action) -> Node:
    """The form of the page that posts to `action` (its path, whatever the query string)."""
    forms = parse(response).find_all(lambda n: n.tag == "form" and n.attrs.get("action", "").split("?")[0] == action)
    assert len(forms) == 1, f"{len(forms)} formulaire(s) vers {action} sur la page"
    return forms[0]


def _wrapper(control, form):
    """The block of the field: the nearest ancestor whose id is "div_…" (crispy's convention,
    followed by the hand-written forms too)."""
    node = control.parent
    while node is not None and node is not form:
        if node.attrs.get("id", "").startswith("div_"):
            return node
        node = node.parent
    raise AssertionError(f"Le champ {control.attrs.get('name')} n'est dans aucun bloc « div_… ».")


def _controls(form, name):
    controls = form.find_all(lambda n: n.tag in ("input", "textarea", "select") and n.attrs.get("name") == name)
    assert controls, f"aucun champ {name} dans le formulaire"
    return controls


def _check_kept(controls, typed):
    first = controls[0]
    if first.tag == "textarea":
        assert first.text() == " ".join(typed.split()), first.text()
    elif first.attrs.get("type") in ("radio", "checkbox"):
        checked = [c.attrs.get("value") for c in controls if "checked" in c.attrs]
        assert checked == ([typed] if typed else []), checked
    elif first.tag == "select":
        options = first.find_all(lambda n: n.tag == "option" and "selected" in n.attrs)
        assert [o.attrs.get("value") for o in options] == [typed]
    else:
        assert first.attrs.get("value", "") == typed, first.attrs.get("value")


def assert_kept(response, action, name, typed):
    """The field `name` of the form posting to `action` still holds `typed` (text, date, the
    value of the checked radio; "" for a radio list: none checked)."""
    _check_kept(_controls(posted_form(response, action), name), typed)


def assert_kept_with_error(response, action, name, typed, error):
    """After a bad submission to `action`: the page answers 200 with that form (which leaves
    validation to the server), the field `name` still holds `typed`, and `error` is shown in the
    field's own block, in Bootstrap's invalid-feedback."""
    assert response.status_code == 200, response.status_code
    form = posted_form(response, action)
    assert "novalidate" in form.attrs, "le navigateur ne doit pas valider à la place du serveur"
    controls = _controls(form, name)
    _check_kept(controls, typed)
    block = _wrapper(controls[0], form)
    feedback = " ".join(n.text() for n in block.find_all(lambda n: "invalid-feedback" in n.classes()))
    assert html.unescape(error) in feedback, f"« {error} » absent du bloc du champ {name} : « {feedback} »"


def assert_form_error(response, action, error):
    """An error about the whole form, shown at the top of that form (not in a banner)."""
    assert response.status_code == 200, response.status_code
    assert error in posted_form(response, action).text()
