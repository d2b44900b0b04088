"""The instruction grids (Nord guide du porteur de projet, seed 004 l. 253–284)."""

RECEVABILITE = [
    ("statut", "Conformité du statut juridique de la structure"),
    ("public", "Conformité du public visé"),
    ("objectifs", "Conformité aux objectifs de l'appel à projets"),
    ("axe", "Conformité aux axes de l'appel à projets"),
    ("completude", "Complétude du dossier (pièces administratives et comptables)"),
]

COHERENCE = [
    ("objet", "Objet et fonctionnement de la structure"),
    ("diagnostic", "Adéquation entre l'état des lieux de la structure et le diagnostic des services départementaux"),
    ("methodologie", "Méthodologie et description des étapes de parcours de l'allocataire"),
    ("collectif", "Organisation des séances collectives (le cas échéant)"),
    ("partenariat", "Partenariat et articulation avec d'autres dispositifs"),
    ("moyens_materiels", "Moyens matériels et pédagogiques (outils, supports d'animation, locaux…)"),
    ("calendrier", "Calendrier opérationnel de l'action"),
    ("moyens_humains", "Moyens humains impliqués (nombre de personnes, ETPT, qualification)"),
    ("indicateurs", "Indicateurs d'évaluation proposés"),
    ("pilotage", "Modalités de pilotage de l'action"),
    ("communication", "Stratégie de communication auprès des participants et des partenaires"),
]

# Review marks of a coherence point.
APPRECIATIONS = [
    ("", "Non examiné"),
    ("satisfaisant", "Satisfaisant"),
    ("a_ameliorer", "À améliorer"),
    ("insuffisant", "Insuffisant"),
]
