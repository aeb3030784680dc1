"""The accessibility statement (the government's model): public, Dutch, with its status, what it covers,
how it is checked, the known limitations, contact and date; linked from every page's footer."""

from __future__ import annotations


def test_the_statement_is_public_and_linked_from_every_page(client):
    page = client.get("/toegankelijkheid")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "<h1" in body and "Toegankelijkheidsverklaring" in body
    for heading in ("Status", "Waarover deze verklaring gaat", "Hoe wij het controleren", "Wat nog niet in orde is",
                    "Feedback en contact"):
        assert heading in body, heading
    assert "voldoet gedeeltelijk" in body and "WCAG 2.1" in body and "PDF/UA" in body
    assert "Deze verklaring is opgesteld op 5 december 2026." in body
    sign_in = client.get("/inloggen").get_data(as_text=True)
    assert 'href="/toegankelijkheid"' in sign_in
