"""Every URL of the project × every role → expected outcome.

The list of URLs comes from the resolver: a new view without a rule here makes
`test_every_url_has_a_rule` fail, so nobody can add a page without deciding who may open it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.aap.factories import aap_world
from tests.conftest import ROLES

LOGIN = "login"  # redirect to the login page
ADMIN_LOGIN = "admin-login"  # redirect to the admin login page
HOME = "home"  # redirect to the home page (already signed in)

ALL_200 = dict.fromkeys(ROLES, 200)
SIGNED_IN_200 = {**dict.fromkeys(ROLES, 200), "anonyme": LOGIN}
DPID_ONLY = {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 200, "admin": 200}
DPID_ONLY_404 = {**dict.fromkeys(ROLES, 404), "anonyme": LOGIN, "dpid": 200, "admin": 200}
POST_ONLY = {**dict.fromkeys(ROLES, 405), "anonyme": LOGIN}
PARCOURS_FOLLOW = {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 200, "referent": 200}
# Funding: the Département's roles read (the manager too), structures and SLAI are refused.
FINANCE_READ = {**DPID_ONLY, "manager": 200}
FINANCE_WRITE = {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 302, "admin": 302}
PARCOURS_DECIDE = {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "slai": 200, "dpid": 200, "admin": 200}
# aap: a structure's draft is its own (the referent reads it, only the responsable writes); the
# instruction queues are for the SLAI and the Département.
AAP_DRAFT = {**dict.fromkeys(ROLES, 404), "anonyme": LOGIN, "responsable": 200, "referent": 403}
AAP_DRAFT_POST = {**AAP_DRAFT, "responsable": 302}
AAP_STAFF = {**dict.fromkeys(ROLES, 200), "anonyme": LOGIN, "responsable": 403, "referent": 403}

# name → (kwargs builder, {role: expected})
RULES = {
    "accounts:home": (None, SIGNED_IN_200),
    "accounts:login": (None, {**dict.fromkeys(ROLES, HOME), "anonyme": 200}),
    "accounts:logout": (None, {**dict.fromkeys(ROLES, 405), "anonyme": LOGIN}),  # POST only
    "accounts:password_reset": (None, ALL_200),
    "accounts:password_reset_done": (None, ALL_200),
    "accounts:password_reset_confirm": (lambda w: {"uidb64": "MQ", "token": "jeton-invalide"}, ALL_200),
    "accounts:password_reset_complete": (None, ALL_200),
    "accounts:password_change": (None, SIGNED_IN_200),
    "accounts:password_change_done": (None, SIGNED_IN_200),
    # Two-factor pages (the second factor is off in this matrix: tests/accounts/test_two_factor.py
    # checks every URL with it on). Nobody here has enrolled yet: the code page sends to enrolment.
    "accounts:otp_setup": (None, SIGNED_IN_200),
    "accounts:otp_verify": (None, {**dict.fromkeys(ROLES, 302), "anonyme": LOGIN}),
    "accounts:otp_recovery": (None, SIGNED_IN_200),
    # Accounts: a responsable disables their structure's members, the DPID administrator anyone.
    "accounts:members": (None, {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 200, "admin": 200}),
    "accounts:user_disable": (lambda w: {"pk": w.user("referent").pk}, POST_ONLY),
    "referentiels:territoire_list": (None, SIGNED_IN_200),
    "referentiels:structure_list": (None, SIGNED_IN_200),
    "referentiels:structure_create": (None, DPID_ONLY),
    "referentiels:structure_detail": (lambda w: {"pk": w.structure_a.pk}, SIGNED_IN_200),
    "referentiels:structure_update": (
        lambda w: {"pk": w.structure_a.pk},
        {**DPID_ONLY, "responsable": 200},
    ),
    "referentiels:referent_list": (None, SIGNED_IN_200),
    "referentiels:referent_create": (None, {**DPID_ONLY, "responsable": 200}),
    "referentiels:referent_detail": (
        lambda w: {"pk": w.autre_referent_a.pk},
        {**SIGNED_IN_200, "referent": 404},
    ),
    "referentiels:referent_update": (
        lambda w: {"pk": w.autre_referent_a.pk},
        {**DPID_ONLY, "responsable": 200, "referent": 404},
    ),
    "audit:entry_list": (None, {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "admin": 200}),
    "audit:entry_export": (None, {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "admin": 200}),
    # Documents: the structure sheet follows the structure's scope; the unissued attestation is a
    # draft only the DPID (who issues it) may see.
    "documents:request": (lambda w: {"kind_code": "fiche_structure", "owner_pk": w.structure_a.pk}, POST_ONLY),
    "documents:detail": (lambda w: {"pk": w.attestation_draft.pk}, DPID_ONLY_404),
    # The sheet lists all the structure's referents: a referent (own record only) does not get it.
    "documents:status": (lambda w: {"pk": w.fiche.pk}, {**SIGNED_IN_200, "referent": 404}),
    "documents:download": (lambda w: {"pk": w.fiche.pk}, {**SIGNED_IN_200, "referent": 404}),
    "documents:retry": (lambda w: {"pk": w.fiche.pk}, POST_ONLY),
    "documents:issue": (lambda w: {"pk": w.attestation_draft.pk}, POST_ONLY),
    "echeances:list": (None, SIGNED_IN_200),
    "echeances:create": (None, {**DPID_ONLY, "slai": 200}),
    "echeances:detail": (lambda w: {"pk": w.echeance_a.pk}, SIGNED_IN_200),
    "echeances:mark_done": (lambda w: {"pk": w.echeance_a.pk}, POST_ONLY),
    "echeances:notifications": (None, SIGNED_IN_200),
    "echeances:notification_open": (lambda w: {"pk": w.notification.pk}, POST_ONLY),
    "echeances:notification_read_all": (None, POST_ONLY),
    "echeances:preferences": (None, SIGNED_IN_200),
    "health": (None, ALL_200),
    "favicon": (None, dict.fromkeys(ROLES, 302)),  # to the static icon, for everyone
    # Legal pages: public, linked from every page's footer.
    "core:mentions_legales": (None, ALL_200),
    "core:donnees_personnelles": (None, ALL_200),
    "core:accessibilite": (None, ALL_200),
    # Label: the structure's draft request is seen by the structure only; the DPID's control
    # grading is the DPID's until its opinion.
    "label:home": (None, SIGNED_IN_200),
    "label:formations": (None, SIGNED_IN_200),
    "label:formation_add": (
        lambda w: {"referent_pk": w.autre_referent_a.pk},
        {**DPID_ONLY, "responsable": 200, "referent": 404},
    ),
    "label:formation_accept": (lambda w: {"pk": w.formation_a.pk}, POST_ONLY),
    "label:formation_piece": (lambda w: {"pk": w.formation_a.pk}, SIGNED_IN_200),  # the referent's own record
    "label:cer_import": (None, {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 200}),
    "label:demande_create": (None, POST_ONLY),
    "label:demande_detail": (lambda w: {"pk": w.demande_a.pk}, SIGNED_IN_200),
    "label:demande_update": (lambda w: {"pk": w.demande_a.pk}, POST_ONLY),
    "label:tirage_create": (lambda w: {"pk": w.demande_a.pk, "referent_pk": w.referent_a.pk}, POST_ONLY),
    "label:demande_deposer": (lambda w: {"pk": w.demande_a.pk}, POST_ONLY),
    "label:demande_renvoyer": (lambda w: {"pk": w.demande_a.pk}, POST_ONLY),
    "label:panel_reduit_accepter": (lambda w: {"pk": w.demande_a.pk}, POST_ONLY),
    "label:demande_evaluer": (lambda w: {"pk": w.demande_a.pk}, POST_ONLY),
    "label:demande_avis_slai": (lambda w: {"pk": w.demande_a.pk}, POST_ONLY),
    "label:demande_decider": (lambda w: {"pk": w.demande_a.pk}, POST_ONLY),
    # No moratorium on this request: there is no sheet to open (rights: tests/label).
    "label:moratoire_update": (lambda w: {"pk": w.demande_a.pk}, {**dict.fromkeys(ROLES, 404), "anonyme": LOGIN}),
    "label:recours_deposer": (lambda w: {"pk": w.demande_a.pk}, {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN}),
    "label:recours_repondre": (lambda w: {"pk": w.demande_a.pk}, POST_ONLY),
    "label:evaluation": (lambda w: {"pk": w.evaluation_a.pk}, SIGNED_IN_200),
    "label:retrait_create": (lambda w: {"label_pk": w.retrait_a.label_id}, DPID_ONLY),
    "label:retrait_detail": (lambda w: {"pk": w.retrait_a.pk}, SIGNED_IN_200),
    "label:retrait_etude": (lambda w: {"pk": w.retrait_a.pk}, POST_ONLY),
    "label:retrait_conclure": (lambda w: {"pk": w.retrait_a.pk}, POST_ONLY),
    "label:retrait_observations": (lambda w: {"pk": w.retrait_a.pk}, POST_ONLY),
    "label:retrait_decider": (lambda w: {"pk": w.retrait_a.pk}, POST_ONLY),
    "label:remise": (None, SIGNED_IN_200),
    "label:rapport_annuel": (
        None,
        {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 200, "admin": 200, "manager": 200},
    ),
    "label:rapport_annuel_pdf": (None, POST_ONLY),
    "label:chartes": (None, SIGNED_IN_200),
    "label:charte_deposer": (
        lambda w: {"label_pk": w.retrait_a.label_id},
        {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 200},
    ),
    "label:charte_examiner": (lambda w: {"pk": w.charte_a.pk}, POST_ONLY),
    "label:charte_piece": (lambda w: {"pk": w.charte_a.pk}, {**SIGNED_IN_200, "anonyme": LOGIN}),
    # Accompaniment: the referent sees only their own caseload (orientation_a is theirs,
    # orientation_a2 is a colleague's).
    "accompagnement:caseload": (None, SIGNED_IN_200),
    "accompagnement:beneficiaire_detail": (
        lambda w: {"pk": w.orientation_a2.beneficiaire_id},
        {**SIGNED_IN_200, "referent": 404},
    ),
    "accompagnement:orientation_create": (None, {**DPID_ONLY, "slai": 200}),
    "accompagnement:orientation_assign": (
        lambda w: {"pk": w.orientation_a.pk},
        {**DPID_ONLY, "responsable": 200},
    ),
    # Interviews and CERs: the referent following the person (orientation_a is the referent
    # user's) and the structure's responsable; others are refused.
    "accompagnement:entretien_create": (
        lambda w: {"pk": w.orientation_a.pk},
        {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 200, "referent": 200},
    ),
    "accompagnement:cer_create": (
        lambda w: {"pk": w.orientation_a2.pk},
        {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 200, "referent": 404},
    ),
    "accompagnement:import_upload": (None, DPID_ONLY),
    "accompagnement:import_detail": (lambda w: {"pk": w.import_file.pk}, DPID_ONLY),
    "accompagnement:import_confirm": (lambda w: {"pk": w.import_file.pk}, POST_ONLY),
    # --- accompagnement: CER ---
    # Everyone who sees the person reads and exports the CER; only the following referent and the
    # structure's responsable change it (cer_a is unsigned and has no renewal request: closing and
    # renewing send back to the CER with a message).
    "accompagnement:cer_detail": (lambda w: {"pk": w.cer_a.pk}, SIGNED_IN_200),
    "accompagnement:cer_update": (
        lambda w: {"pk": w.cer_a.pk},
        {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 200, "referent": 200},
    ),
    "accompagnement:cer_signer": (lambda w: {"pk": w.cer_a.pk}, POST_ONLY),
    "accompagnement:cer_cloturer": (
        lambda w: {"pk": w.cer_a.pk},
        {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 302, "referent": 302},
    ),
    "accompagnement:cer_renouveler": (
        lambda w: {"pk": w.cer_a.pk},
        {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 302, "referent": 302},
    ),
    # The exchange file leaves the portal with the structure or the DPID only.
    "accompagnement:cer_export_json": (
        lambda w: {"pk": w.cer_a.pk},
        {**SIGNED_IN_200, "slai": 403, "manager": 403},
    ),
    "accompagnement:cer_import": (None, {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 200}),
    "accompagnement:cer_grille": (lambda w: {"pk": w.orientation_a.pk}, POST_ONLY),
    # --- accompagnement: parcours ---
    # Parcours: the referent following the person (and the structure's responsable) records; the
    # SLAI of the person's territory and the DPID decide. `w.parcours()` creates the objects.
    "accompagnement:diagnostic_create": (lambda w: {"pk": w.orientation_a.pk}, PARCOURS_FOLLOW),
    "accompagnement:prescription_create": (lambda w: {"pk": w.orientation_a.pk}, PARCOURS_FOLLOW),
    "accompagnement:prescription_update": (lambda w: {"pk": w.parcours().prescription.pk}, PARCOURS_FOLLOW),
    "accompagnement:reorientation_create": (lambda w: {"pk": w.orientation_a.pk}, PARCOURS_FOLLOW),
    "accompagnement:reorientation_decider": (lambda w: {"pk": w.parcours().reorientation.pk}, PARCOURS_DECIDE),
    "accompagnement:renouvellement_create": (lambda w: {"pk": w.parcours().cer_signe.pk}, PARCOURS_FOLLOW),
    "accompagnement:renouvellement_decider": (lambda w: {"pk": w.parcours().renouvellement.pk}, PARCOURS_DECIDE),
    "accompagnement:suspension_traiter": (lambda w: {"pk": w.parcours().suspension.pk}, POST_ONLY),
    "accompagnement:slai_a_traiter": (None, PARCOURS_DECIDE),
    "accompagnement:activite_create": (lambda w: {"pk": w.orientation_a.pk}, PARCOURS_FOLLOW),
    "accompagnement:sortie_create": (lambda w: {"pk": w.orientation_a.pk}, PARCOURS_FOLLOW),
    # --- accompagnement: indicators and reporting ---
    # Indicators: every role sees the figures of its own scope (a referent: their own line).
    "accompagnement:indicateurs": (None, SIGNED_IN_200),
    "accompagnement:indicateurs_personnes": (None, SIGNED_IN_200),
    "accompagnement:indicateurs_export": (None, SIGNED_IN_200),
    "accompagnement:reporting_list": (None, SIGNED_IN_200),
    "accompagnement:reporting_detail": (
        lambda w: {"structure_pk": w.structure_a.pk, "annee": 2026, "mois": 10},
        SIGNED_IN_200,
    ),
    "accompagnement:reporting_valider": (
        lambda w: {"structure_pk": w.structure_a.pk, "annee": 2026, "mois": 10},
        POST_ONLY,
    ),
    # --- accompagnement: data protection ---
    # Export (right of access): the DPID, and the responsable of the person's structure; the
    # referent, the SLAI and managers read the record but do not hand it out.
    "accompagnement:beneficiaire_export": (
        lambda w: {"pk": w.orientation_a.beneficiaire_id},
        {**DPID_ONLY, "responsable": 200},
    ),
    "accompagnement:retention": (None, DPID_ONLY),
    # --- aap: calls for projects ---
    # A published call; structure A's application in instruction (`aap.candidature`) and its draft
    # on another dispositif (`aap.draft`, seen by structure A only); an opinion asked of the DPID.
    "aap:home": (None, SIGNED_IN_200),
    "aap:appel_create": (None, DPID_ONLY),
    "aap:appel_detail": (lambda w: {"pk": aap_world(w).appel.pk}, SIGNED_IN_200),
    "aap:appel_update": (lambda w: {"pk": aap_world(w).appel.pk}, DPID_ONLY),
    "aap:appel_publish": (lambda w: {"pk": aap_world(w).appel.pk}, POST_ONLY),
    "aap:thematique_create": (lambda w: {"pk": aap_world(w).appel.pk}, DPID_ONLY),
    "aap:dispositif_create": (lambda w: {"pk": aap_world(w).appel.pk}, DPID_ONLY),
    "aap:fenetre_create": (lambda w: {"pk": aap_world(w).appel.pk}, DPID_ONLY),
    "aap:fenetre_extend": (lambda w: {"pk": aap_world(w).fenetre.pk}, DPID_ONLY),
    "aap:dispositif_detail": (lambda w: {"pk": aap_world(w).dispositif.pk}, SIGNED_IN_200),
    "aap:dispositif_update": (lambda w: {"pk": aap_world(w).dispositif.pk}, DPID_ONLY),
    "aap:candidature_create": (lambda w: {"pk": aap_world(w).dispositif.pk}, POST_ONLY),
    "aap:candidature_detail": (lambda w: {"pk": aap_world(w).candidature.pk}, SIGNED_IN_200),
    "aap:candidature_projet": (lambda w: {"pk": aap_world(w).draft.pk}, AAP_DRAFT),
    "aap:candidature_budget": (lambda w: {"pk": aap_world(w).draft.pk}, AAP_DRAFT),
    "aap:candidature_personnel": (lambda w: {"pk": aap_world(w).draft.pk}, AAP_DRAFT),
    "aap:candidature_pieces": (lambda w: {"pk": aap_world(w).draft.pk}, AAP_DRAFT),
    "aap:candidature_deposer": (lambda w: {"pk": aap_world(w).draft.pk}, POST_ONLY),
    "aap:candidature_renvoyer": (lambda w: {"pk": aap_world(w).draft.pk}, POST_ONLY),
    "aap:candidature_retirer": (lambda w: {"pk": aap_world(w).draft.pk}, POST_ONLY),
    "aap:candidature_recevabilite": (lambda w: {"pk": aap_world(w).candidature.pk}, DPID_ONLY),
    "aap:candidature_instruire": (lambda w: {"pk": aap_world(w).candidature.pk}, POST_ONLY),
    "aap:candidature_revue": (lambda w: {"pk": aap_world(w).candidature.pk}, DPID_ONLY),
    "aap:candidature_avis_territorial": (
        lambda w: {"pk": aap_world(w).candidature.pk},
        {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "slai": 200},
    ),
    "aap:candidature_correction": (lambda w: {"pk": aap_world(w).candidature.pk}, DPID_ONLY),
    "aap:candidature_proposer": (lambda w: {"pk": aap_world(w).candidature.pk}, DPID_ONLY),
    "aap:candidature_decider": (lambda w: {"pk": aap_world(w).candidature.pk}, DPID_ONLY),
    "aap:annotation_add": (lambda w: {"pk": aap_world(w).candidature.pk}, POST_ONLY),
    "aap:avis_demander": (lambda w: {"pk": aap_world(w).candidature.pk}, {**DPID_ONLY, "slai": 200}),
    "aap:avis_rendre": (lambda w: {"pk": aap_world(w).demande_avis.pk}, POST_ONLY),
    "aap:personnel_delete": (lambda w: {"pk": aap_world(w).draft_personnel.pk}, POST_ONLY),
    "aap:personnel_cv": (lambda w: {"pk": aap_world(w).personnel.pk}, SIGNED_IN_200),
    "aap:piece_download": (lambda w: {"pk": aap_world(w).piece.pk}, SIGNED_IN_200),
    "aap:piece_delete": (lambda w: {"pk": aap_world(w).draft_piece.pk}, POST_ONLY),
    "aap:file": (None, AAP_STAFF),
    "aap:export": (None, AAP_STAFF),
    # --- financement ---
    "financement:lignes": (None, FINANCE_READ),
    "financement:tableau_de_bord": (None, FINANCE_READ),
    "financement:tableau_de_bord_personnes": (None, FINANCE_READ),
    # Without the Département's SIRET setting the download sends back to the budget page.
    "financement:subventions_export": (None, {**FINANCE_READ, "dpid": 302, "manager": 302, "admin": 302}),
    "financement:ligne_detail": (lambda w: {"pk": w.finance.budget_line.pk}, FINANCE_READ),
    "financement:deliberation_list": (None, FINANCE_READ),
    "financement:deliberation_detail": (lambda w: {"numero": w.finance.deliberation.numero}, FINANCE_READ),
    "financement:deliberation_export": (
        lambda w: {"numero": w.finance.deliberation.numero, "format": "csv"},
        FINANCE_READ,
    ),
    "financement:simulations": (lambda w: {"numero": w.finance.deliberation.numero}, FINANCE_READ),
    "financement:deliberation_voter": (lambda w: {"numero": w.finance.deliberation.numero}, DPID_ONLY),
    "financement:simulation_create": (lambda w: {"numero": w.finance.deliberation.numero}, POST_ONLY),
    "financement:simulation_promote": (lambda w: {"pk": w.finance.simulation.pk}, POST_ONLY),
    # Conventions: structure A's own are read by its members; SLAI agents do not see conventions.
    "financement:convention_list": (None, {**SIGNED_IN_200, "slai": 403}),
    "financement:convention_detail": (lambda w: {"pk": w.finance.convention.pk}, {**SIGNED_IN_200, "slai": 404}),
    "financement:convention_transition": (
        lambda w: {"pk": w.finance.convention.pk, "code": "echoir"},
        POST_ONLY,
    ),
    "financement:avenant_detail": (lambda w: {"pk": w.finance.avenant.pk}, {**SIGNED_IN_200, "slai": 404}),
    "financement:avenant_transition": (lambda w: {"pk": w.finance.avenant.pk, "code": "envoyer"}, POST_ONLY),
    "financement:versement_create": (lambda w: {"pk": w.finance.echeance.pk}, POST_ONLY),
    "financement:resultats_update": (lambda w: {"pk": w.finance.convention.pk}, POST_ONLY),
    "financement:acte_from_ligne": (lambda w: {"pk": w.finance.lignes[1].pk}, POST_ONLY),
    "financement:solde_valider": (lambda w: {"pk": w.finance.convention.pk}, POST_ONLY),
    # Bilans: the Département's roles and the structure's members read them (SLAI: no funding).
    "financement:bilan_list": (None, {**SIGNED_IN_200, "slai": 403}),
    "financement:bilan_detail": (lambda w: {"pk": w.finance.bilan.pk}, {**SIGNED_IN_200, "slai": 404}),
    "financement:bilan_deposer": (lambda w: {"pk": w.finance.bilan.pk}, POST_ONLY),
    "financement:bilan_piece_ajouter": (lambda w: {"pk": w.finance.bilan.pk}, POST_ONLY),
    "financement:bilan_valider": (lambda w: {"pk": w.finance.bilan.pk}, POST_ONLY),
    "financement:bilan_rendre": (lambda w: {"pk": w.finance.bilan.pk}, POST_ONLY),
    "financement:bilan_piece": (lambda w: {"pk": w.finance.piece.pk}, {**SIGNED_IN_200, "slai": 404}),
    "financement:session_create": (None, DPID_ONLY),
}
# POST-only views, by role: the permission check runs before anything changes. Expected codes
# on an object of structure A in a state where the action is possible for the allowed roles
# (a redirect back to the page; 200 for a form the page shows: the empty submission comes back
# with its errors next to the fields); the others get 403 (or 404 when the object is out of scope).
POST_RULES = {
    "accounts:user_disable": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 302, "admin": 302},
    "documents:request": {**dict.fromkeys(ROLES, 302), "anonyme": LOGIN, "manager": 403, "referent": 403},
    "documents:retry": {**dict.fromkeys(ROLES, 302), "anonyme": LOGIN, "manager": 403, "referent": 404},
    "documents:issue": {**dict.fromkeys(ROLES, 404), "anonyme": LOGIN, "dpid": 302, "admin": 302},
    "echeances:mark_done": {**dict.fromkeys(ROLES, 302), "anonyme": LOGIN, "manager": 403, "slai": 403},
    "echeances:notification_read_all": {**dict.fromkeys(ROLES, 302), "anonyme": LOGIN},
    "label:formation_accept": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 302, "admin": 302},
    "label:demande_create": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 302},
    "label:demande_renvoyer": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 200, "admin": 200},
    "label:demande_evaluer": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 302, "admin": 302},
    "label:demande_avis_slai": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "slai": 200, "dpid": 200, "admin": 200},
    "label:demande_decider": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 302, "admin": 302},
    "label:recours_repondre": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 302, "admin": 302},
    "label:retrait_observations": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 200},
    "label:retrait_decider": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 302, "admin": 302},
    "label:retrait_etude": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 302, "admin": 302},
    "label:rapport_annuel_pdf": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 302, "admin": 302},
    "label:retrait_conclure": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 302, "admin": 302},
    "label:charte_examiner": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 200, "admin": 200},
    # --- accompagnement: CER ---
    "accompagnement:cer_signer": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 200, "referent": 200},
    "accompagnement:cer_update": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 200, "referent": 200},
    "accompagnement:cer_cloturer": {
        **dict.fromkeys(ROLES, 403),
        "anonyme": LOGIN,
        "responsable": 302,
        "referent": 302,
    },
    "accompagnement:cer_renouveler": {
        **dict.fromkeys(ROLES, 403),
        "anonyme": LOGIN,
        "responsable": 302,
        "referent": 302,
    },
    "accompagnement:cer_import": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 200},
    "accompagnement:cer_grille": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 200, "referent": 200},
    # --- accompagnement: parcours ---
    # An empty form is shown again with its errors (200), the suspension decision on the record.
    "accompagnement:diagnostic_create": PARCOURS_FOLLOW,
    "accompagnement:prescription_create": PARCOURS_FOLLOW,
    "accompagnement:prescription_update": PARCOURS_FOLLOW,
    "accompagnement:reorientation_create": PARCOURS_FOLLOW,
    "accompagnement:renouvellement_create": PARCOURS_FOLLOW,
    "accompagnement:activite_create": PARCOURS_FOLLOW,
    "accompagnement:sortie_create": PARCOURS_FOLLOW,
    "accompagnement:reorientation_decider": PARCOURS_DECIDE,
    "accompagnement:renouvellement_decider": PARCOURS_DECIDE,
    "accompagnement:suspension_traiter": PARCOURS_DECIDE,
    # --- accompagnement: indicators and reporting ---
    "accompagnement:reporting_valider": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 302},
    # --- accompagnement: data protection ---
    # --- aap: calls for projects ---
    "aap:appel_publish": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 302, "admin": 302},
    "aap:candidature_create": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "responsable": 302},
    "aap:candidature_deposer": AAP_DRAFT_POST,
    "aap:candidature_renvoyer": AAP_DRAFT_POST,
    "aap:candidature_retirer": AAP_DRAFT_POST,
    "aap:personnel_delete": AAP_DRAFT_POST,
    "aap:piece_delete": AAP_DRAFT_POST,
    "aap:candidature_instruire": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 302, "admin": 302},
    "aap:annotation_add": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "slai": 302, "dpid": 302, "admin": 302},
    "aap:avis_rendre": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 302},
    "aap:candidature_correction": {**DPID_ONLY},  # an empty form comes back with its errors
    "aap:candidature_avis_territorial": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "slai": 200},
    # --- financement: DPID writes (an empty simulation form is shown again), managers only read ---
    "financement:simulation_create": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 200, "admin": 200},
    "financement:deliberation_voter": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 200, "admin": 200},
    "financement:simulation_promote": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 302, "admin": 302},
    # The DPID changes states and records payments (a refused action redirects with a message).
    "financement:convention_transition": {**FINANCE_WRITE, "slai": 404},
    "financement:avenant_transition": {**FINANCE_WRITE, "slai": 404},
    # An empty payment is shown again on the convention's page with its errors (200).
    "financement:versement_create": {**FINANCE_WRITE, "slai": 404, "dpid": 200, "admin": 200},
    "financement:resultats_update": {**FINANCE_WRITE, "slai": 404},
    "financement:solde_valider": {**FINANCE_WRITE, "slai": 404},
    # Bilans: the structure's responsable files (an empty form comes back with its errors), the
    # DPID reviews (nothing deposited yet: refused with a message); out of scope for the SLAI.
    "financement:bilan_deposer": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "slai": 404, "responsable": 200},
    "financement:bilan_piece_ajouter": {
        **dict.fromkeys(ROLES, 403),
        "anonyme": LOGIN,
        "slai": 404,
        "responsable": 200,
    },
    "financement:bilan_valider": {**FINANCE_WRITE, "slai": 404},
    "financement:bilan_rendre": {**FINANCE_WRITE, "slai": 404},
    "financement:session_create": {**dict.fromkeys(ROLES, 403), "anonyme": LOGIN, "dpid": 200, "admin": 200},
    # Annex lines are the Département's: out of scope (404) for structures and SLAI.
    "financement:acte_from_ligne": {
        **dict.fromkeys(ROLES, 404),
        "anonyme": LOGIN,
        "manager": 403,
        "dpid": 302,
        "admin": 302,
    },
}
# Django's admin: only the admin role is staff. Its parameterless pages are checked below;
# pages that need an object id follow the same `has_permission` gate.
ADMIN_RULE = {**dict.fromkeys(ROLES, ADMIN_LOGIN), "anonyme": (LOGIN, ADMIN_LOGIN), "admin": 200}
ADMIN_EXCEPTIONS = {
    # Signed-in users without staff rights see the admin login page and its refusal message.
    "admin:login": {**dict.fromkeys(ROLES, 200), "admin": 302},
}
# Records the application writes itself: nobody adds one by hand, not even an admin.
for _model in (
    "audit_auditentry",
    "documents_generateddocument",
    "echeances_notification",
    "echeances_rappel",
    "financement_versement",
    # django-axes' records of login attempts.
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accesslog",
):
    ADMIN_EXCEPTIONS[f"admin:{_model}_add"] = {**dict.fromkeys(ROLES, ADMIN_LOGIN), "anonyme": LOGIN, "admin": 403}


def iter_patterns(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from iter_patterns(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", entry


def project_url_names():
    return {name for name, _ in iter_patterns(get_resolver().url_patterns) if not name.startswith("admin:")}


def admin_parameterless_names():
    return sorted(
        name
        for name, pattern in iter_patterns(get_resolver().url_patterns)
        if name.startswith("admin:")
        and not pattern.pattern.regex.groups
        and name not in ("admin:logout", "admin:autocomplete")
    )


def test_every_url_has_a_rule():
    missing = project_url_names() - set(RULES)
    assert not missing, f"URLs sans règle dans la matrice des permissions : {sorted(missing)}"
    stale = set(RULES) - project_url_names()
    assert not stale, f"Règles pour des URL qui n'existent plus : {sorted(stale)}"


def check(response, expected):
    if isinstance(expected, tuple):
        assert response.status_code == 302
        assert response["Location"].startswith((reverse("accounts:login"), reverse("admin:login")))
    elif expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    elif expected == HOME:
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:home")
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(RULES))
def test_matrix(client_for, world, name, role):
    kwargs_builder, expected = RULES[name]
    url = reverse(name, kwargs=kwargs_builder(world) if kwargs_builder else None)
    response = client_for(role).get(url)
    check(response, expected[role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(POST_RULES))
def test_post_matrix(client_for, world, name, role):
    kwargs_builder = RULES[name][0]
    url = reverse(name, kwargs=kwargs_builder(world) if kwargs_builder else None)
    if name == "documents:retry":
        world.fiche.status = "echec"
        world.fiche.save()
    response = client_for(role).post(url, {})
    check(response, POST_RULES[name][role])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", admin_parameterless_names())
def test_admin_matrix(client_for, world, name, role):
    response = client_for(role).get(reverse(name))
    check(response, ADMIN_EXCEPTIONS.get(name, ADMIN_RULE)[role])


@pytest.mark.parametrize(
    ("name", "roles"),
    [
        ("referentiels:structure_create", ["responsable", "referent", "slai", "manager"]),
        ("referentiels:structure_update", ["referent", "slai", "manager"]),
        ("referentiels:referent_create", ["referent", "slai", "manager"]),
        ("referentiels:referent_update", ["slai", "manager"]),
    ],
)
def test_forbidden_posts_change_nothing(client_for, world, name, roles):
    """Hiding a button is not access control: a forged POST is refused as well."""
    from portal.referentiels.models import Referent, Structure

    kwargs_builder = RULES[name][0]
    url = reverse(name, kwargs=kwargs_builder(world) if kwargs_builder else None)
    before = (list(Structure.objects.values()), list(Referent.objects.values()))
    for role in roles:
        response = client_for(role).post(url, {"nom": "Piratage", "prenom": "X", "etp": "1"})
        assert response.status_code == 403, role
    assert (list(Structure.objects.values()), list(Referent.objects.values())) == before
