"""Money and small whole numbers written by the fast paths read exactly as Babel writes them, in every locale."""

from decimal import Decimal

from babel.numbers import format_currency
from flask_babel import force_locale

from club.formats import money, money_writer

AMOUNTS = ["0", "-0.00", "-0", "0.5", "-0.01", "7", "999.99", "1000", "-1250000.5", "12345678901.25", "1250000", "100000000000.00"]


def test_money_reads_as_babel_writes_it(app):
    with app.test_request_context():
        for locale in ("fr", "en", "ar"):
            with force_locale(locale):
                for text in AMOUNTS:
                    amount = Decimal(text)
                    assert money(amount) == format_currency(amount, "MAD", format="#,##0.00\u00a0¤¤",
                                                            locale=locale), (locale, text)
                    assert money(text) == money(amount) == money_writer()(amount)
                assert money(Decimal("1.005")) == format_currency(Decimal("1.005"), "MAD",
                                                                  format="#,##0.00\u00a0¤¤", locale=locale)
                assert money(None) == money("") == "—"


def test_small_whole_numbers_read_as_babel_writes_them(app):
    from babel.numbers import format_decimal

    from club.formats import number

    with app.test_request_context():
        for locale in ("fr", "en", "ar"):
            with force_locale(locale):
                for value in (-999, -1, 0, 7, 999, 1000, 12500):
                    assert number(value) == format_decimal(value, locale=locale), (locale, value)


def test_numbers_with_fixed_decimals_read_as_babel_writes_them(app):
    import random

    from babel.numbers import format_decimal

    from club.formats import number

    rng = random.Random(15)
    values = [0, 0.0, -0.0, 2.675, 1.005, 3.125, -0.001, -0.005, 4.999, 1234.5, -98765.4321, 5, Decimal("3.70")]
    values += [rng.uniform(-2000, 2000) for _ in range(300)] + [rng.randint(1, 5) / rng.randint(1, 7) for _ in range(300)]
    with app.test_request_context():
        for locale in ("fr", "en", "ar"):
            with force_locale(locale):
                for digits in (1, 2, 3):
                    for value in values:
                        babel = format_decimal(Decimal(str(value)), format="#,##0." + "0" * digits, locale=locale)
                        assert number(value, digits) == babel, (locale, digits, value)
