from tests.conftest import post_form


def test_chair_signs_in_and_sees_start_page(client, login_as):
    user = login_as("chair")
    response = client.get("/start")
    assert response.status_code == 200
    assert user.name in response.get_data(as_text=True)


def test_admin_creates_a_user(client, login_as, factory):
    login_as("admin")
    org = factory.organisation(kind="ret")
    response = post_form(client, "/beheer/gebruikers/nieuw",
                         {"name": "Nieuwe Voorzitter", "email": "nieuw@test.example", "role": "chair",
                          "organisation_id": str(org.id)}, token_from="/beheer/gebruikers/nieuw")
    assert response.status_code == 200
    assert "/activeren/" in response.get_data(as_text=True)
