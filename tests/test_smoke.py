def test_login_page_renders(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert b"<html lang=\"fr\"" in response.data
