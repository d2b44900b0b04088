""" "À traiter" writes its rows from dicts, its links from the pk and its unbound suspension forms by
hand: the blocks must read exactly as the former template wrote them from the model instances
(same people, links, structures, referents, dates, waiting times and forms, same order)."""

import datetime
import re
from pathlib import Path

import time_machine
from django.template import engines
from django.urls import reverse

from accompagnement.forms.parcours import SuspensionForm
from accompagnement.models import Cer, DemandeRenouvellement, Entretien, ProcedureSuspension
from accompagnement.selectors import decisions_a_traiter

TODAY = datetime.datetime(2026, 11, 25, 9, tzinfo=datetime.UTC)

# The three blocks as the page wrote them before.
FORMER = (Path(__file__).parent / "a_traiter_former.html").read_text()


def former_blocks(user):
    """The blocks as the former view built them: model instances, the first 20 of each, oldest first."""
    today = TODAY.date()
    pending = decisions_a_traiter(user)

    def block(queryset, date_field, *related):
        ordered = queryset.select_related(*related).order_by(date_field, "pk")
        rows = [(obj, (today - getattr(obj, date_field)).days) for obj in ordered[:20]]
        return {"rows": rows, "total": queryset.count()}

    path = "entretien__orientation__"
    context = {
        "suspensions": block(
            pending["suspensions"],
            "ouverte_le",
            f"{path}beneficiaire",
            f"{path}structure",
            f"{path}referent",
            "entretien",
        ),
        "reorientations": block(
            pending["reorientations"],
            "date_demande",
            "type_souhaite",
            "orientation__beneficiaire",
            "orientation__structure",
        ),
        "renouvellements": block(
            pending["renouvellements"], "date_demande", "cer__orientation__beneficiaire", "cer__orientation__structure"
        ),
        "limit": 20,
    }
    context["forms"] = {p.pk: SuspensionForm(procedure=p) for p, _ in context["suspensions"]["rows"]}
    return engines["django"].from_string(FORMER).render(context)


def blocks(content):
    """The three sections, whitespace collapsed and the CSRF tokens left out."""
    start = content.index('<section class="mb-4" aria-labelledby="titre-suspensions">')
    end = content.rindex("</section>") + len("</section>")
    content = re.sub(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">', "", content[start:end])
    return " ".join(content.split())


def add_waiting(world):
    """More to decide: a person with an elided, escaped name and no referent (suspension,
    renewal), more than 20 suspensions in territory A, a suspension waiting over 30 days."""
    orientation = world.orientation_a2
    beneficiaire = orientation.beneficiaire
    beneficiaire.prenom, beneficiaire.nom = "Élodie", "O'Neil <& Fils>"
    beneficiaire.save()
    orientation.referent = None
    orientation.save()
    for n in range(22):
        absence = Entretien.objects.create(
            orientation=orientation if n % 2 else world.orientation_a,
            date=datetime.date(2026, 9, 1) + datetime.timedelta(days=n),
            mode="physique",
            nature="premier",
            presence="absent",
        )
        ProcedureSuspension.objects.create(entretien=absence, ouverte_le=absence.date + datetime.timedelta(days=n % 3))
    cer = Cer.objects.create(
        orientation=orientation,
        type="socioprofessionnel",
        date_edition=datetime.date(2026, 6, 1),
        date_debut=datetime.date(2026, 6, 1),
        date_fin=datetime.date(2026, 12, 1),
        signe_le=datetime.date(2026, 6, 1),
    )
    DemandeRenouvellement.objects.create(cer=cer, date_demande=datetime.date(2026, 10, 5), argumentaire="Suite.")


@time_machine.travel(TODAY)
def test_a_traiter_blocks_read_as_the_former_template_wrote_them(client_for, world):
    world.parcours()
    add_waiting(world)
    for role in ("slai", "dpid"):
        client = client_for(role)
        response = client.get(reverse("accompagnement:slai_a_traiter"))
        page = blocks(response.content.decode())
        assert page == blocks(former_blocks(world.user(role))), role
        assert "Les 20 plus anciennes sur 23." in page  # the 22 added and the parcours' one
        assert "O&#x27;Neil &lt;&amp; Fils&gt;" in page and "d'Élodie O&#x27;Neil" in page
        assert "CER socio-professionnel du 1er juin 2026 au 1er décembre 2026" in page
        assert 'class="text-danger fw-semibold"' in page


@time_machine.travel(TODAY)
def test_a_traiter_filtered_by_territory_reads_as_before(client_for, world):
    world.parcours()
    add_waiting(world)
    dpid = client_for("dpid")
    response = dpid.get(reverse("accompagnement:slai_a_traiter"), {"territoire": world.territoire_b.pk})
    page = blocks(response.content.decode())
    assert "Aucune procédure de suspension en attente." in page
    assert "Aucune demande de renouvellement en attente." in page
