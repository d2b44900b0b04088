"""Refused attempts on a person's record, whatever the page: every URL that opens something of a
person (a CER, an orientation's forms, a request to the SLAI…) answers 404 outside the user's
scope; the audit middleware records the attempt on that person, so that their trail (right of
access) shows it. The person's own page and export record it themselves
(accompagnement.views.base.visible_person_or_404).

Each route names its model and the path from it to the person. A 404 on an object whose person
is in the user's scope (an object that does not exist, a file not produced) is not a refusal and
is not recorded.
"""

ORIENTATION = ("accompagnement.Orientation", "beneficiaire_id")
CER = ("accompagnement.Cer", "orientation__beneficiaire_id")

PERSON_ROUTES = {
    **{
        f"accompagnement:{name}": ORIENTATION
        for name in (
            "orientation_assign",
            "entretien_create",
            "cer_create",
            "cer_grille",
            "diagnostic_create",
            "prescription_create",
            "reorientation_create",
            "activite_create",
            "sortie_create",
        )
    },
    **{
        f"accompagnement:{name}": CER
        for name in (
            "cer_detail",
            "cer_update",
            "cer_signer",
            "cer_cloturer",
            "cer_renouveler",
            "cer_export_json",
            "renouvellement_create",
        )
    },
    "accompagnement:prescription_update": ("accompagnement.Prescription", "orientation__beneficiaire_id"),
    "accompagnement:reorientation_decider": ("accompagnement.DemandeReorientation", "orientation__beneficiaire_id"),
    "accompagnement:renouvellement_decider": (
        "accompagnement.DemandeRenouvellement",
        "cer__orientation__beneficiaire_id",
    ),
    "accompagnement:suspension_traiter": (
        "accompagnement.ProcedureSuspension",
        "entretien__orientation__beneficiaire_id",
    ),
}


def record_refused_person(request):
    """After a 404 on a person's route: record the attempt on the person if the object exists and
    the person is outside the user's scope. Returns the entry, or None."""
    from django.apps import apps

    from portal.audit.enums import Action
    from portal.audit.services import access_record

    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    if match is None or user is None or not user.is_authenticated or match.view_name not in PERSON_ROUTES:
        return None
    pk = match.kwargs.get("pk")
    label, path = PERSON_ROUTES[match.view_name]
    person_id = apps.get_model(label)._default_manager.filter(pk=pk).values_list(path, flat=True).first()
    if person_id is None:
        return None
    Beneficiaire = apps.get_model("accompagnement", "Beneficiaire")
    if Beneficiaire.objects.visible_to(user).filter(pk=person_id).exists():
        return None
    person = Beneficiaire.objects.filter(pk=person_id).first()
    return access_record(
        user=user,
        obj=person,
        action=Action.REFUS,
        request=request,
        detail=f"hors du périmètre (404) : {match.view_name.split(':')[-1]} n° {pk}",
    )
