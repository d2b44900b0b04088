"""The kinds of accompaniment are adjusted in /admin/ by the DPID's administrators (README)."""

from decimal import Decimal

from django.urls import reverse

from accompagnement.models import TypeAccompagnement


def test_an_administrator_adjusts_a_kind_of_accompaniment(world, client_for):
    kind = TypeAccompagnement.objects.get(code="equilibre")
    client = client_for("admin")
    assert "Types d&#x27;accompagnement" in client.get(reverse("admin:index")).content.decode()
    url = reverse("admin:accompagnement_typeaccompagnement_change", args=[kind.pk])
    data = {
        "code": "autre-code",  # read only once created: ignored
        "libelle": kind.libelle,
        "places_par_etp": "62,5",  # typed with a comma
        "places_par_etp_min": "50",
        "delai_premier_rdv_jours": "10",
        "delai_cer_mois": "2",
        "actif": "on",
    }
    assert client.post(url, data).status_code == 302
    kind.refresh_from_db()
    assert (kind.code, kind.places_par_etp, kind.delai_premier_rdv_jours) == ("equilibre", Decimal("62.5"), 10)


def test_a_kind_is_never_deleted(world, client_for):
    kind = TypeAccompagnement.objects.get(code="solidarite")
    response = client_for("admin").post(
        reverse("admin:accompagnement_typeaccompagnement_delete", args=[kind.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert TypeAccompagnement.objects.filter(pk=kind.pk).exists()


def test_other_roles_do_not_reach_it(world, client_for):
    url = reverse("admin:accompagnement_typeaccompagnement_changelist")
    for role in ("dpid", "responsable", "manager"):
        response = client_for(role).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
