"""The DPID prepares a call in draft, previews it, publishes it; structures see only published calls."""

from django.urls import reverse

from aap.models import AppelAProjets, Dispositif


def test_dpid_prepares_previews_and_publishes_a_call(client_for, world):
    dpid = client_for("dpid")
    response = dpid.post(reverse("aap:appel_create"), {"annee": "2027", "titre": "Appel 2027"})
    appel = AppelAProjets.objects.get(titre="Appel 2027")
    assert response["Location"] == appel.get_absolute_url()
    refused = dpid.post(reverse("aap:appel_publish", args=[appel.pk]), follow=True)
    assert "au moins un dispositif et une période de dépôt" in refused.content.decode()
    dpid.post(reverse("aap:thematique_create", args=[appel.pk]), {"numero": "1", "libelle": "Accompagnement"})
    bad = dpid.post(
        reverse("aap:dispositif_create", args=[appel.pk]),
        {
            "code": "1.1",
            "libelle": "Référent solidarité",
            "modele_cout": "par_place",
            "taux": "80,00",
            "part_quantitative": "50",
            "part_qualitative": "40",
            "ordre": "0",
        },
    )
    assert "Les parts quantitative et qualitative totalisent 100 %." in bad.content.decode()
    assert 'value="Référent solidarité"' in bad.content.decode()
    dpid.post(
        reverse("aap:dispositif_create", args=[appel.pk]),
        {
            "code": "1.1",
            "libelle": "Référent solidarité",
            "modele_cout": "par_place",
            "taux": "80,00",
            "part_quantitative": "50",
            "part_qualitative": "50",
            "ordre": "0",
            "pieces_requises": "Statuts",
            "label_requis_a_partir_du": "2026-07-01",
            "thematique": appel.thematiques.get().pk,
        },
    )
    dispositif = Dispositif.objects.get(appel=appel)
    backwards = dpid.post(
        reverse("aap:fenetre_create", args=[appel.pk]), {"ouverture": "2027-02-14", "cloture": "2027-01-15"}
    )
    assert "La clôture ne peut pas précéder l&#x27;ouverture." in backwards.content.decode()
    dpid.post(reverse("aap:fenetre_create", args=[appel.pk]), {"ouverture": "2027-01-15", "cloture": "2027-02-14"})
    # Preview: the DPID reads the fiche; structures do not see the draft call yet.
    preview = dpid.get(dispositif.get_absolute_url()).content.decode()
    assert "80,00\u00a0€ par place" in preview
    assert "À partir du 1er juillet 2026, seules les structures labellisées" in preview
    responsable = client_for("responsable")
    assert responsable.get(appel.get_absolute_url()).status_code == 404
    dpid = client_for("dpid")
    dpid.post(reverse("aap:appel_publish", args=[appel.pk]))
    appel.refresh_from_db()
    assert appel.is_published
    responsable = client_for("responsable")
    page = responsable.get(reverse("aap:home")).content.decode()
    assert "Appel 2027" in page
    assert "du 15 janvier 2027 au 14 février 2027 inclus" in responsable.get(appel.get_absolute_url()).content.decode()
