from django import template

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
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}`: a dict lookup with a variable key (None when absent)."""
    return mapping.get(key) if mapping else None
