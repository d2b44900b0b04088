"""The deadlines page writes each row from strings computed once in the view (`_rows`): the same
cells the former template computed from each deadline (label, link, date, state, rule)."""

import datetime

import pytest
from django.conf import settings
from django.template import Context, Template

from portal.echeances import registry
from portal.echeances.views import _rows

# The former template's row, item by item.
FORMER_ROW = Template(
    "{% load formats %}{% for item in items %}"
    '<th scope="row">{% if item.url %}<a href="{{ item.url }}">{{ item.label }}</a>{% else %}{{ item.label }}'
    "{% endif %}</th>"
    "<td>{{ item.due_date|date_fr }}</td>"
    '<td>{% if item.is_overdue %}<span class="badge text-bg-danger">En retard</span> de {{ item.days_overdue }}'
    " jour{{ item.days_overdue|pluralize }}{% elif item.days_left == 0 %}"
    '<span class="badge text-bg-warning">Aujourd\'hui</span>{% else %}Dans {{ item.days_left }}'
    " jour{{ item.days_left|pluralize }}{% endif %}</td>"
    "<td>{{ item.rule }}</td>{% endfor %}"
)
# The cells of the page's row, as templates/echeances/echeance_list.html writes them (checked below).
NEW_CELLS = [
    '<th scope="row">{% if url %}<a href="{{ url }}">{{ label }}</a>{% else %}{{ label }}{% endif %}</th>',
    "<td>{{ due }}</td>",
    '<td>{% if state == "retard" %}<span class="badge text-bg-danger">En retard</span> de {{ days }}'
    '{% elif state == "jour" %}<span class="badge text-bg-warning">Aujourd\'hui</span>'
    "{% else %}Dans {{ days }}{% endif %}</td>",
    "<td>{{ rule }}</td>",
]
NEW_ROW = Template("{% for url, label, due, state, days, rule in rows %}" + "".join(NEW_CELLS) + "{% endfor %}")


def test_the_page_template_writes_these_cells():
    page = (settings.BASE_DIR / "templates" / "echeances" / "echeance_list.html").read_text(encoding="utf-8")
    for cell in NEW_CELLS:
        assert cell in page


class _Echeance(registry.Echeance):
    label = "Règle <à> l'essai & co"

    def describe(self, obj):
        return f"Échéance d'<{obj}>"

    def url(self, obj):
        return f"/objet/{obj}/?a=1&b=2" if obj % 2 else ""


@pytest.mark.parametrize("days", [-400, -2, -1, 0, 1, 2, 31])
def test_each_row_reads_as_the_former_template_wrote_it(days):
    today = datetime.date(2026, 12, 8)
    items = [
        registry.Item(echeance=_Echeance(), obj=obj, due_date=today + datetime.timedelta(days=days), today=today)
        for obj in (1, 2)
    ]
    former = FORMER_ROW.render(Context({"items": items}))
    assert NEW_ROW.render(Context({"rows": _rows(items)})) == former
    assert ("En retard" in former) == (days < 0) and ("Aujourd'hui" in former) == (days == 0)
