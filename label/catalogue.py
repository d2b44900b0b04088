"""The training catalogue of seed 001 §5-1 and annexe 1 (also loaded by migration 0002)."""

MODULES = [
    # code, label, duration, mandatory, order
    ("pssm", "Détresse et troubles psy : Premiers secours en santé mentale", "2 jours", True, 1),
    (
        "potentiels",
        "L'accompagnement social par le développement des potentiels des personnes",
        "2 × 2 jours",
        True,
        2,
    ),
    ("public-feminin", "L'accompagnement du public féminin", "1 jour", True, 3),
    ("secret-professionnel", "Secret professionnel", "1 jour", True, 4),
    ("retraite", "Ouverture de droits retraite", "webinaire de 2 heures", False, 10),
    ("mdph", "MDPH : handicap et travail", "demi-journée en présentiel", False, 11),
    ("agressivite", "Gestion de l'agressivité", "2 jours", False, 12),
    ("sante-cpam", "Santé : présentation des droits par la CPAM", "information", False, 13),
    ("budget-logement", "Budget / logement", "information", False, 14),
    ("enfance-famille", "Enfance / famille", "information", False, 15),
]


def ensure_modules(model=None):
    """Create or update the catalogue; `model` is the historical model inside a migration."""
    if model is None:
        from label.models import ModuleFormation as model
    for code, libelle, duree, obligatoire, ordre in MODULES:
        existing = model.objects.filter(code=code).first()
        values = {"libelle": libelle, "duree": duree, "obligatoire": obligatoire, "ordre": ordre}
        if existing is None:
            model.objects.create(code=code, **values)
        elif any(getattr(existing, name) != value for name, value in values.items()):
            model.objects.filter(pk=existing.pk).update(**values)
