"""An application's volume reads as a sentence: only the parts filled in, no dangling separator."""

from decimal import Decimal

from aap.models import Candidature


def test_volume_lists_only_what_is_filled_in():
    assert Candidature(places=166, etp=Decimal("2.38"), etp_finances=True).volume_display == (
        "166 places · 2,38 ETP financés"
    )
    assert Candidature(etp=Decimal("1"), etp_finances=False, diagnostics=400).volume_display == (
        "1,00 ETP valorisés · 400 diagnostics"
    )
    assert Candidature(beneficiaires=800).volume_display == "800 participants"
    assert Candidature().volume_display == ""
