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


def test_what_the_statement_says_of_the_keyboard_and_the_pdfs_is_what_exists(client):
    """Tagged PDFs and the keyboard walk are claimed only while the code and the tests that check them are
    there; what remains is listed under the limitations."""
    from pathlib import Path

    from ret_app import pdf

    tests = Path(__file__).resolve().parent
    body = " ".join(client.get("/toegankelijkheid").get_data(as_text=True).split())
    assert pdf.PDF_VARIANT == "pdf/ua-1" and (tests / "test_pdf_tagged.py").is_file()
    assert "is getagd voor schermlezers (PDF/UA-1)" in body
    assert "nog niet getagd" not in body
    assert (tests / "browser" / "test_keyboard_walk.py").is_file()
    assert "alleen met het toetsenbord doorlopen" in body
    limitations = body.split('id="statement-limitations"', 1)[1].split("</ul>", 1)[0]
    assert "PDF/UA-validator" in limitations and "niet een voor een met het toetsenbord" in limitations
