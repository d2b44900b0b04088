"""The provisional budget: balance, Département share, cost per place, FSE+/FTJ counterpart."""

from decimal import Decimal

from aap.budget import expected_departement, summarize


def test_balanced_budget_and_shares():
    summary = summarize(
        {"64": "15000", "62": "5000.50", "74_departement": "16000", "fonds_propres": "4000.50"},
        places=250,
        beneficiaires=200,
    )
    assert summary.total_charges == Decimal("20000.50")
    assert summary.total_produits == Decimal("20000.50")
    assert summary.desequilibre == Decimal("0.00")
    assert summary.is_balanced
    assert summary.part_departement == Decimal("80.0")
    assert summary.cout_par_place == Decimal("80.00")
    assert summary.cout_par_beneficiaire == Decimal("100.00")
    assert summary.alerts == []
    assert all(isinstance(v, Decimal) for v in (summary.total_charges, summary.departement, summary.cout_par_place))


def test_imbalance_is_reported_in_french():
    summary = summarize({"64": "10000", "74_departement": "8000"})
    assert summary.desequilibre == Decimal("-2000.00")
    assert not summary.is_balanced
    assert summary.alerts == ["Il manque 2\u00a0000,00\u00a0€ de ressources pour équilibrer le budget."]
    assert summarize({"64": "100", "74_departement": "150"}).alerts == [
        "Les ressources dépassent les charges de 50,00\u00a0€."
    ]


def test_no_float_error_on_cents():
    summary = summarize({"60": "0.10", "61": "0.20", "74_departement": "0.30"})
    assert summary.total_charges == Decimal("0.30")
    assert summary.is_balanced


def test_volunteer_contributions_are_apart_from_the_balance():
    summary = summarize({"64": "1000", "74_departement": "1000", "86": "500", "87": "500"})
    assert summary.is_balanced
    assert summary.total_charges == Decimal("1000.00")
    unequal = summarize({"64": "1000", "74_departement": "1000", "86": "500"})
    assert "Les contributions volontaires en nature (comptes 86 et 87) doivent être égales." in unequal.alerts


def test_fse_counterpart_outside_the_bassin_minier_is_40_percent():
    good = summarize({"64": "10000", "74_departement": "4000", "74_fse": "6000"}, bassin_minier=False)
    assert good.fonds_europeen == "FSE+"
    assert good.part_departement == Decimal("40.0")
    assert good.alerts == []
    assert expected_departement(good) == Decimal("4000.00")
    wrong = summarize({"64": "10000", "74_departement": "3000", "74_fse": "7000"}, bassin_minier=False)
    assert any("la part du Département attendue est de 40 %" in alert for alert in wrong.alerts)


def test_ftj_counterpart_in_the_bassin_minier_is_30_percent():
    good = summarize({"64": "10000", "74_departement": "3000", "74_ftj": "7000"}, bassin_minier=True)
    assert good.fonds_europeen == "FTJ"
    assert good.alerts == []
    wrong = summarize({"64": "10000", "74_departement": "4000", "74_ftj": "6000"}, bassin_minier=True)
    assert any("FTJ : la part du Département attendue est de 30 %" in alert for alert in wrong.alerts)


def test_wrong_european_fund_for_the_territory():
    outside = summarize({"64": "10000", "74_departement": "4000", "74_ftj": "6000"}, bassin_minier=False)
    assert "Le FTJ ne finance que les actions du bassin minier (Artois, Lens-Liévin, Hénin-Carvin)." in outside.alerts
    inside = summarize({"64": "10000", "74_departement": "3000", "74_fse": "7000"}, bassin_minier=True)
    assert "Dans le bassin minier, la contrepartie européenne relève du FTJ et non du FSE+." in inside.alerts
