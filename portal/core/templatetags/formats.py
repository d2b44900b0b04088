from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from portal.core import formats

register = template.Library()


@register.filter
def euros(value):
    return formats.format_euros(value)


@register.filter
def date_fr(value):
    return formats.format_date(value)


@register.filter
def nombre(value, decimals=2):
    if value is None or value == "":
        return ""
    return formats.format_number(value, int(decimals))


@register.filter
def decimal_fr(value):
    """`{{ referent.etp|decimal_fr }}` → "0,80": the decimals the value carries, with a comma."""
    return formats.format_decimal(value)


def _de_html(name, autoescape=True):
    # The name is escaped, the apostrophe of "d'" is not: pages read "d'ADEFI", not "d&#x27;ADEFI".
    text = formats.de(name)
    if not autoescape or not text:
        return text
    prefix, rest = ("d'", text[2:]) if text.startswith("d'") else text.split(" ", 1)
    separator = "" if prefix == "d'" else " "
    # The name is escaped; the prefix ("de", "d'", "du", "des") is ours.
    return mark_safe(f"{prefix}{separator}{conditional_escape(rest)}")  # nosec B308 B703


@register.filter(name="de", needs_autoescape=True)
def de_filter(value, autoescape=True):
    """`{{ structure.nom|de }}` → "de MEMPA", "d'ADEFI", "du Relais" (for "Le Relais")."""
    return _de_html(value, autoescape)


@register.simple_tag(name="de", takes_context=True)
def de_tag(context, *parts):
    """`{% de beneficiaire.prenom beneficiaire.nom %}` → "d'Olivier Martin"."""
    name = " ".join(str(part) for part in parts if part not in (None, ""))
    return _de_html(name, context.autoescape)


@register.filter
def pluralize(value, arg="s"):
    """Replaces Django's `pluralize` in every template (this library is a builtin loaded after
    Django's): French puts 0 and 1 in the singular ("0 personne", "1 entrée", "2 entrées").
    Same arguments as Django's: `|pluralize`, `|pluralize:"x"`, `|pluralize:"al,aux"`."""
    if arg.count(",") > 1:
        return ""
    return formats.plural_suffix(value, arg)


@register.filter
def pluriel(value, words):
    """`{{ n|pluriel:"personne" }}` → "0 personne", "2 personnes"; `{{ n|pluriel:"CER,CER" }}`."""
    singular, _, plural = words.partition(",")
    return formats.pluriel(value, singular, plural or None)


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}`: a dict lookup with a variable key (None when absent)."""
    return mapping.get(key) if mapping else None
